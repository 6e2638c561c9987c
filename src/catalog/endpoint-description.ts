import type { OpenAPIObject } from '@nestjs/swagger';
import { ACCESS_KINDS, type AccessRule } from '../access/access-kinds.js';
import { RESOURCE_PINNING_EXTENSION } from '../access/token-resources.js';
import type { ErrorCode } from '../common/index.js';
import type { CatalogEndpoint } from './catalog.types.js';
import { paramHint, requestBodyHint, responseHint } from './field-hints.js';
import { routeErrors } from './route-errors.js';

type Json = Record<string, unknown>;

/** One OpenAPI operation and the declared route behind it. */
export interface Operation {
  path: string;
  /** Lower-case, as OpenAPI keys it. */
  method: string;
  op: Json;
  id: string;
  rule: AccessRule;
  module: string;
}

/**
 * The catalog entry of one operation: its access facts from the access table, its input and
 * output hints from the OpenAPI schemas, and its errors. Workflows are filled in once every
 * endpoint is known.
 */
export function describeEndpoint(doc: OpenAPIObject, operation: Operation): CatalogEndpoint {
  const { path, op, id, rule, module } = operation;
  const method = operation.method.toUpperCase();
  const unsafe = method !== 'GET' && method !== 'HEAD';
  const kind = ACCESS_KINDS[rule.kind];
  const parameters = ((op.parameters as Json[] | undefined) ?? []).map((p) => paramHint(doc, p));
  const body = requestBodyHint(doc, op);
  const query = parameters.filter((p) => p.in === 'query');
  return {
    id,
    module,
    method,
    path,
    summary: (op.summary as string | undefined) ?? '',
    authKind: rule.kind,
    pat: {
      supported: kind.tokens,
      scopes: rule.kind === 'user' ? [...rule.scopes] : [],
    },
    browserSession: { supported: kind.sessions, csrf: kind.sessions && unsafe },
    request: { params: parameters.filter((p) => p.in === 'path'), query, body },
    response: responseHint(doc, op),
    errors: routeErrors({
      rule,
      method,
      hasInput: parameters.length > 0 || body !== null,
      declared: (op['x-gpx-errors'] as ErrorCode[] | undefined) ?? [],
    }),
    idempotent: method === 'GET' || method === 'HEAD' || method === 'PUT' || method === 'DELETE',
    pagination: query.some((q) => q.name === 'cursor'),
    honoursResourcePinning: op[RESOURCE_PINNING_EXTENSION] === true,
    workflows: [],
  };
}
