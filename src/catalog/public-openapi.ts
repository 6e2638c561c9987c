import type { OpenAPIObject } from '@nestjs/swagger';
import { ACCESS_KINDS, type AccessKind } from '../access/access-kinds.js';

type Json = Record<string, unknown>;

export const HTTP_METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete'] as const;
const SCHEMA_REF = '#/components/schemas/';

/**
 * The OpenAPI document as the public may see it: the same operations as the public catalog, so
 * internal and admin-only operations are left out (admins find them in their catalog view).
 * Call after `CatalogService.build`, which writes the `x-gpx` access facts this filters on.
 */
export function publicOpenApi(document: OpenAPIObject): OpenAPIObject {
  const copy = structuredClone(document);
  for (const [path, item] of Object.entries(copy.paths)) {
    const operations = item as Record<string, Json | undefined>;
    for (const method of HTTP_METHODS) {
      const kind = (operations[method]?.['x-gpx'] as { authKind?: AccessKind } | undefined)
        ?.authKind;
      if (kind && !ACCESS_KINDS[kind].listedPublicly) delete operations[method];
    }
    if (!HTTP_METHODS.some((m) => operations[m])) delete copy.paths[path];
  }
  // Schemas only the hidden operations used would still name them; keep what is reachable.
  const schemas = copy.components?.schemas ?? {};
  const reachable = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      const name =
        key === '$ref' && typeof value === 'string' && value.startsWith(SCHEMA_REF)
          ? value.slice(SCHEMA_REF.length)
          : undefined;
      if (name === undefined) visit(value);
      else if (!reachable.has(name)) {
        reachable.add(name);
        visit(schemas[name]);
      }
    }
  };
  visit(copy.paths);
  for (const name of Object.keys(schemas)) if (!reachable.has(name)) delete schemas[name];
  return copy;
}
