import type { OpenAPIObject } from '@nestjs/swagger';
import { RESOURCE_PINNING_EXTENSION } from '../access/token-resources.js';
import { ACCESS_KINDS } from '../access/access-kinds.js';
import { ERROR_CODES } from '../common/index.js';
import type { CatalogEndpoint } from './catalog.types.js';

type Json = Record<string, unknown>;

/** RFC 9457 problem details as this API sends them (docs/architecture.md §6). */
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

/**
 * Writes what the catalog decided about an endpoint into its OpenAPI operation: a problem+json
 * response per error status, explicit "no credentials" where its kind takes none, and the `x-gpx`
 * extension with the access facts.
 */
export function annotateOperation(op: Json, endpoint: CatalogEndpoint): void {
  delete op['x-gpx-errors'];
  addProblemResponses(op, endpoint.errors);
  if (ACCESS_KINDS[endpoint.authKind].security.length === 0) op.security = [];
  op['x-gpx'] = {
    authKind: endpoint.authKind,
    pat: endpoint.pat,
    browserSession: endpoint.browserSession,
    scopes: endpoint.pat.scopes,
    errors: endpoint.errors,
    workflows: endpoint.workflows,
  };
  // Kept as its own extension (written by @HonoursResourcePinning) only where it is true.
  if (!endpoint.honoursResourcePinning) delete op[RESOURCE_PINNING_EXTENSION];
}

/** Adds the Problem schema the operations' error responses refer to. */
export function addProblemSchema(openApi: OpenAPIObject): void {
  openApi.components ??= {};
  openApi.components.schemas = { ...openApi.components.schemas, Problem: PROBLEM_SCHEMA };
}

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
