import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { AccessKind, AccessRule } from '../access/access-kinds.js';
import { ACCESS_METADATA, AUTH_KIND_DESCRIPTIONS } from '../access/access-kinds.js';
import { describeScopes, SCOPE_GROUPS } from '../access/scopes.js';
import { ERROR_CODES, type ErrorCode } from '../common/index.js';
import { WORKFLOWS, type Workflow } from './workflows.js';

/** Bumped when the catalog's own shape (not the routes in it) changes. */
export const CATALOG_VERSION = '2026-11-28';

type Json = Record<string, unknown>;
const HTTP_METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete'] as const;

export interface FieldHint {
  name: string;
  in?: string;
  type: string;
  required: boolean;
  constraints?: Json;
  example?: unknown;
  description?: string;
}

export interface CatalogEndpoint {
  id: string;
  module: string;
  method: string;
  path: string;
  summary: string;
  authKind: AccessKind;
  pat: { supported: boolean; scopes: string[] };
  browserSession: { supported: boolean; csrf: boolean };
  request: {
    params: FieldHint[];
    query: FieldHint[];
    body: { contentType: string; fields: FieldHint[]; example: Json } | null;
  };
  response: { status: number; fields: FieldHint[]; example: unknown } | null;
  errors: { status: number; code: ErrorCode; when: string }[];
  idempotent: boolean;
  pagination: boolean;
  workflows: string[];
}

export interface CatalogDocument {
  catalogVersion: string;
  generatedAt: string;
  links: Record<string, string>;
  scopes: ReturnType<typeof describeScopes>;
  scopeGroups: { name: string; scopes: string[] }[];
  authKinds: { kind: AccessKind; description: string }[];
  errors: { status: number; code: string; title: string; when: string }[];
  endpoints: CatalogEndpoint[];
  workflows: (Workflow & {
    steps: (Workflow['steps'][number] & { method?: string; path?: string })[];
  })[];
}

export interface ServedCatalog {
  document: CatalogDocument;
  /** The JSON bytes, and the same gzipped once at boot (most clients accept gzip). */
  body: Buffer;
  gzipped: Buffer;
  /** Strong ETags, one per representation. */
  etag: string;
  gzipEtag: string;
}

const HIDDEN_KINDS: AccessKind[] = ['internal', 'admin-only'];

/**
 * Builds the catalog once at boot from the same metadata the guard enforces (the access
 * decorators) and the OpenAPI metadata (operations, parameters, DTO schemas), so it cannot drift
 * from the code. It also writes the per-operation `x-gpx` object into the OpenAPI document.
 */
@Injectable()
export class CatalogService {
  private full?: CatalogDocument;
  private publicServed?: ServedCatalog;
  private adminServed?: ServedCatalog;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  build(openApi: OpenAPIObject, publicBaseUrl: string): void {
    const handlers = this.walkHandlers();
    const endpoints: CatalogEndpoint[] = [];
    for (const [path, item] of Object.entries(openApi.paths)) {
      for (const method of HTTP_METHODS) {
        const op = (item as Record<string, Json | undefined>)[method];
        if (!op) continue;
        const id = op.operationId as string | undefined;
        const handler = id ? handlers.get(id) : undefined;
        // No access rule: RouteDeclarationCheck stops the boot naming the route, right after this.
        if (!id || !handler) continue;
        const endpoint = this.describe(openApi, path, method, op, handler.rule, id, handler.module);
        endpoints.push(endpoint);
        delete op['x-gpx-errors'];
        addProblemResponses(op, endpoint.errors);
        // Public and webhook-ingress operations take no credentials: say so explicitly.
        if (endpoint.authKind === 'public' || endpoint.authKind === 'webhook-ingress')
          op.security = [];
        op['x-gpx'] = {
          authKind: endpoint.authKind,
          pat: endpoint.pat,
          browserSession: endpoint.browserSession,
          scopes: endpoint.pat.scopes,
          errors: endpoint.errors,
          workflows: endpoint.workflows,
        };
      }
    }
    openApi.components ??= {};
    openApi.components.schemas = { ...openApi.components.schemas, Problem: PROBLEM_SCHEMA };
    endpoints.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
    const byId = new Map(endpoints.map((e) => [e.id, e]));
    const workflows = WORKFLOWS.map((w) => ({
      ...w,
      steps: w.steps.map((s) => ({
        ...s,
        method: byId.get(s.endpoint)?.method,
        path: byId.get(s.endpoint)?.path,
      })),
    }));
    const scopes = describeScopes();
    this.full = {
      catalogVersion: CATALOG_VERSION,
      generatedAt: new Date().toISOString(),
      links: {
        self: `${publicBaseUrl}/api/programmatic/catalog`,
        openapi: `${publicBaseUrl}/api/openapi.json`,
        docs: `${publicBaseUrl}/api/docs`,
      },
      scopes,
      scopeGroups: SCOPE_GROUPS.map((g) => ({
        name: g,
        scopes: scopes.filter((s) => s.group === g).map((s) => s.name),
      })),
      authKinds: (Object.keys(AUTH_KIND_DESCRIPTIONS) as AccessKind[]).map((kind) => ({
        kind,
        description: AUTH_KIND_DESCRIPTIONS[kind],
      })),
      errors: (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => ({
        status: ERROR_CODES[code].status,
        code,
        title: ERROR_CODES[code].title,
        when: ERROR_CODES[code].when,
      })),
      endpoints,
      workflows,
    };
    this.adminServed = serve(this.full);
    this.publicServed = serve({
      ...this.full,
      endpoints: endpoints.filter((e) => !HIDDEN_KINDS.includes(e.authKind)),
    });
  }

  /** The prebuilt document: the public one, or with internal and admin-only routes for admins. */
  served(forAdmin: boolean): ServedCatalog {
    const served = forAdmin ? this.adminServed : this.publicServed;
    if (!served) throw new Error('The catalog was not built at boot');
    return served;
  }

  /** Workflow ids whose steps name endpoints that do not exist (a test keeps this empty). */
  danglingWorkflowSteps(): string[] {
    const ids = new Set(this.full?.endpoints.map((e) => e.id));
    return WORKFLOWS.flatMap((w) =>
      w.steps.filter((s) => !ids.has(s.endpoint)).map((s) => `${w.id} → ${s.endpoint}`),
    );
  }

  private describe(
    doc: OpenAPIObject,
    path: string,
    method: string,
    op: Json,
    rule: AccessRule,
    id: string,
    module: string,
  ): CatalogEndpoint {
    const upper = method.toUpperCase();
    const unsafe = upper !== 'GET' && upper !== 'HEAD';
    const parameters = ((op.parameters as Json[] | undefined) ?? []).map((p) => paramHint(doc, p));
    const body = requestBody(doc, op);
    const response = responseHint(doc, op);
    const browser =
      rule.kind === 'user' || rule.kind === 'browser-only' || rule.kind === 'admin-only';
    const query = parameters.filter((p) => p.in === 'query');
    return {
      id,
      module,
      method: upper,
      path,
      summary: (op.summary as string | undefined) ?? '',
      authKind: rule.kind,
      pat: {
        supported: rule.kind === 'user',
        scopes: rule.kind === 'user' ? [...rule.scopes] : [],
      },
      browserSession: { supported: browser, csrf: browser && unsafe },
      request: { params: parameters.filter((p) => p.in === 'path'), query, body },
      response,
      errors: errorsFor(rule, op, upper, parameters.length > 0 || body !== null),
      idempotent: upper === 'GET' || upper === 'HEAD' || upper === 'PUT' || upper === 'DELETE',
      pagination: query.some((q) => q.name === 'cursor'),
      workflows: WORKFLOWS.filter((w) => w.steps.some((s) => s.endpoint === id)).map((w) => w.id),
    };
  }

  /**
   * Walks every controller handler once: operationId → the access rule the guard enforces (read
   * with the Reflector, exactly as the guard does) and the owning module (`AccountModule` →
   * `account`) from Nest's own module graph.
   */
  private walkHandlers(): Map<string, { rule: AccessRule; module: string }> {
    const out = new Map<string, { rule: AccessRule; module: string }>();
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as object | undefined;
      const hostName = wrapper.host?.metatype?.name ?? 'core';
      if (!instance) continue;
      const module =
        hostName.replace(/Module$/, '').replace(/^./, (c) => c.toLowerCase()) || 'core';
      const prototype = Object.getPrototypeOf(instance) as Record<string, object>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        const operation = Reflect.getMetadata('swagger/apiOperation', handler) as
          { operationId?: string } | undefined;
        const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
          handler as never,
          wrapper.metatype as never,
        ]);
        if (!rule) continue;
        // @nestjs/swagger's own default when a route names no operationId.
        const id = operation?.operationId ?? `${wrapper.metatype?.name ?? 'Controller'}_${name}`;
        if (out.has(id)) throw new Error(`Duplicate operationId ${id}`);
        out.set(id, { rule, module });
      }
    }
    return out;
  }
}

/**
 * The OpenAPI document as the public may see it: the same operations as the public catalog, so
 * internal and admin-only operations are left out (admins find them in their catalog view).
 * Call after `build`, which writes the `x-gpx` access facts this filters on.
 */
export function publicOpenApi(document: OpenAPIObject): OpenAPIObject {
  const copy = structuredClone(document);
  for (const [path, item] of Object.entries(copy.paths)) {
    const operations = item as Record<string, Json | undefined>;
    for (const method of HTTP_METHODS) {
      const kind = (operations[method]?.['x-gpx'] as { authKind?: AccessKind } | undefined)
        ?.authKind;
      if (kind && HIDDEN_KINDS.includes(kind)) delete operations[method];
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

const SCHEMA_REF = '#/components/schemas/';

export function serve(document: CatalogDocument): ServedCatalog {
  const body = Buffer.from(JSON.stringify(document));
  const hash = createHash('sha256').update(body).digest('base64url');
  return {
    document,
    body,
    gzipped: gzipSync(body, { level: 9 }),
    etag: `"${hash}"`,
    gzipEtag: `"${hash}-gzip"`,
  };
}

function resolve(doc: OpenAPIObject, schema: Json | undefined): Json {
  let s = schema ?? {};
  while (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').pop()!;
    s = ((doc.components?.schemas ?? {}) as Record<string, Json>)[name] ?? {};
  }
  return s;
}

const CONSTRAINT_KEYS = [
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'enum',
  'format',
  'pattern',
  'minItems',
  'maxItems',
  'default',
];

function constraintsOf(schema: Json): Json | undefined {
  const items = schema.items as Json | undefined;
  const picked = Object.fromEntries(
    CONSTRAINT_KEYS.flatMap((k) =>
      schema[k] !== undefined
        ? [[k, schema[k]]]
        : items?.[k] !== undefined
          ? [[`items.${k}`, items[k]]]
          : [],
    ),
  );
  return Object.keys(picked).length ? picked : undefined;
}

function typeOf(doc: OpenAPIObject, schema: Json): string {
  const s = resolve(doc, schema);
  if (s.type === 'array') return `array<${typeOf(doc, (s.items as Json | undefined) ?? {})}>`;
  if (typeof s.type === 'string') return s.type;
  if (Array.isArray(s.type)) return s.type.join('|');
  return s.properties ? 'object' : 'any';
}

function paramHint(doc: OpenAPIObject, p: Json): FieldHint {
  const schema = resolve(doc, p.schema as Json | undefined);
  return {
    name: p.name as string,
    in: p.in as string,
    type: typeOf(doc, schema),
    required: Boolean(p.required),
    constraints: constraintsOf(schema),
    example: p.example ?? schema.example,
    description: p.description as string | undefined,
  };
}

function fieldsOf(doc: OpenAPIObject, schema: Json): FieldHint[] {
  const s = resolve(doc, schema);
  const required = new Set((s.required as string[] | undefined) ?? []);
  return Object.entries((s.properties as Record<string, Json> | undefined) ?? {}).map(
    ([name, prop]) => {
      const resolved = resolve(doc, prop);
      return {
        name,
        type: typeOf(doc, prop),
        required: required.has(name),
        constraints: constraintsOf(resolved),
        example: resolved.example,
        description: resolved.description as string | undefined,
      };
    },
  );
}

function exampleOf(fields: FieldHint[]): Json {
  return Object.fromEntries(
    fields.filter((f) => f.example !== undefined).map((f) => [f.name, f.example]),
  );
}

function requestBody(doc: OpenAPIObject, op: Json): CatalogEndpoint['request']['body'] {
  const content = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
  if (!content) return null;
  // Every media type the route takes (raw uploads take several), as a comma-separated list.
  const contentType = Object.keys(content).join(', ');
  const media = Object.values(content)[0];
  const fields = fieldsOf(doc, media.schema as Json);
  return { contentType, fields, example: exampleOf(fields) };
}

function responseHint(doc: OpenAPIObject, op: Json): CatalogEndpoint['response'] {
  const responses = (op.responses as Record<string, Json> | undefined) ?? {};
  const entry = Object.entries(responses).find(([status]) => /^2\d\d$/.test(status));
  if (!entry) return null;
  const [status, response] = entry;
  const schema = ((response.content as Record<string, Json> | undefined)?.['application/json']
    ?.schema ?? undefined) as Json | undefined;
  if (!schema) return { status: Number(status), fields: [], example: null };
  const fields = fieldsOf(doc, schema);
  return {
    status: Number(status),
    fields,
    example: resolve(doc, schema).example ?? exampleOf(fields),
  };
}

function err(code: ErrorCode, when?: string) {
  return { status: ERROR_CODES[code].status, code, when: when ?? ERROR_CODES[code].when };
}

/**
 * The errors an endpoint can answer: those its input and access kind imply, then its own. The
 * test harness checks every problem response the suite provokes against this list.
 */
function errorsFor(
  rule: AccessRule,
  op: Json,
  method: string,
  hasInput: boolean,
): CatalogEndpoint['errors'] {
  const out: CatalogEndpoint['errors'] = [];
  if (hasInput) out.push(err('validation_failed'));
  // Any POST, PUT or PATCH may be sent a body: a JSON one is size-limited by the parser, and
  // one in a media type the route does not take is refused (ContentTypeInterceptor).
  if (method === 'POST' || method === 'PUT' || method === 'PATCH')
    out.push(err('payload_too_large'), err('unsupported_media_type'));
  // The internal service credential is refused (403 forbidden) on every route for people.
  const people = rule.kind === 'user' || rule.kind === 'browser-only' || rule.kind === 'admin-only';
  switch (rule.kind) {
    case 'public':
      break;
    case 'user':
      out.push(err('unauthenticated'), err('invalid_token'));
      if (rule.scopes.length) out.push(err('insufficient_scope'));
      if (method !== 'GET' && method !== 'HEAD') out.push(err('csrf_failed'));
      break;
    case 'browser-only':
      out.push(err('unauthenticated'), err('invalid_token'), err('session_required'));
      if (method !== 'GET' && method !== 'HEAD') out.push(err('csrf_failed'));
      break;
    case 'admin-only':
      out.push(
        err('unauthenticated'),
        err('invalid_token'),
        err('session_required'),
        err('admin_required'),
      );
      if (method !== 'GET' && method !== 'HEAD') out.push(err('csrf_failed'));
      break;
    case 'internal':
      out.push(err('unauthenticated'), err('forbidden'));
      break;
    case 'webhook-ingress':
      out.push(err('invalid_signature'));
      break;
  }
  if (people) out.push(err('forbidden'));
  for (const code of (op['x-gpx-errors'] as ErrorCode[] | undefined) ?? [])
    if (!out.some((e) => e.code === code)) out.push(err(code));
  // Every route reads the database (at least to resolve the caller): when it refuses, 503.
  if (!out.some((e) => e.code === 'unavailable')) out.push(err('unavailable'));
  out.push(err('rate_limited'));
  return out;
}

/** RFC 9457 problem details as this API sends them (DESIGN §4.4). */
const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: {
      type: 'string',
      format: 'uri',
      description: 'Identifies the problem type; points at the error table of the catalog.',
    },
    title: { type: 'string', example: 'Insufficient scope' },
    status: { type: 'integer', example: 403 },
    detail: { type: 'string', example: 'This token lacks posts:write.' },
    code: { type: 'string', enum: Object.keys(ERROR_CODES), example: 'insufficient_scope' },
    requestId: { type: 'string', description: 'Also the X-Request-Id response header.' },
    errors: {
      type: 'array',
      description: 'validation_failed: one entry per invalid field.',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: {
          field: { type: 'string', example: 'scopes' },
          message: { type: 'string', example: 'choose at least one scope' },
        },
      },
    },
    requiredScopes: {
      type: 'array',
      items: { type: 'string' },
      description: 'insufficient_scope: what the route needs.',
    },
    grantedScopes: {
      type: 'array',
      items: { type: 'string' },
      description: 'insufficient_scope: what the token holds.',
    },
  },
};

/** Documents each error status an operation can answer as problem+json. */
function addProblemResponses(op: Json, errors: CatalogEndpoint['errors']): void {
  const responses = (op.responses ??= {}) as Record<string, Json>;
  const byStatus = new Map<number, string[]>();
  for (const e of errors) byStatus.set(e.status, [...(byStatus.get(e.status) ?? []), e.code]);
  for (const [status, codes] of byStatus) {
    responses[String(status)] = {
      description: codes.join(', '),
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
}
