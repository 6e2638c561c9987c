import type { OpenAPIObject } from '@nestjs/swagger';
import { missingScopes, type Scope } from '../../../access/scopes.js';
import type { CatalogEndpoint } from '../../../catalog/catalog.types.js';

type Json = Record<string, unknown>;

/** Where a tool's call goes: the endpoint it was generated from. */
export interface McpToolTarget {
  endpointId: string;
  method: string;
  /** OpenAPI template, `/api/posts/{postId}`. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  hasBody: boolean;
  scopes: Scope[];
}

/** An MCP tool definition (as `tools/list` answers it) and the route it calls. */
export interface McpTool {
  definition: {
    name: string;
    title: string;
    description: string;
    inputSchema: Json & { type: 'object' };
    annotations: {
      title: string;
      readOnlyHint: boolean;
      destructiveHint: boolean;
      idempotentHint: boolean;
      openWorldHint: boolean;
    };
    _meta: { endpointId: string; method: string; path: string; requiredScopes: Scope[] };
  };
  target: McpToolTarget;
}

/** The endpoint this server itself is (token-only): never a tool of itself. */
const SELF_ENDPOINT_PATH = '/api/mcp';

/**
 * MCP tool names: many agent runtimes accept only `[A-Za-z0-9_-]{1,64}`, so the endpoint id's
 * dots become underscores (`posts.create` → `posts_create`); `_meta.endpointId` keeps the id.
 */
export function toolName(endpointId: string): string {
  return endpointId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

/**
 * One tool per catalog endpoint a personal access token can call (`user` routes: the access
 * table says which kinds take tokens), generated from the catalog entry and its OpenAPI
 * operation. Browser-only, internal, admin-only, public and webhook-ingress routes never become
 * tools: their access kind takes no token.
 */
export function buildMcpTools(
  endpoints: readonly CatalogEndpoint[],
  openApi: OpenAPIObject,
): McpTool[] {
  const tools: McpTool[] = [];
  const names = new Map<string, string>();
  for (const endpoint of endpoints) {
    if (endpoint.authKind !== 'user' || endpoint.path === SELF_ENDPOINT_PATH) continue;
    const operation = operationOf(openApi, endpoint);
    if (!operation) continue;
    const name = toolName(endpoint.id);
    const clash = names.get(name);
    if (clash)
      throw new Error(`MCP tool name ${name} would serve both ${clash} and ${endpoint.id}`);
    names.set(name, endpoint.id);
    const { schema, target } = inputOf(openApi, operation, endpoint);
    const scopes = endpoint.pat.scopes as Scope[];
    const title = endpoint.summary || endpoint.id;
    tools.push({
      definition: {
        name,
        title,
        description: `${endpoint.summary} (${endpoint.method} ${endpoint.path}; endpoint ${endpoint.id}.) ${
          scopes.length ? `Requires scopes: ${scopes.join(', ')}.` : 'Any token may call it.'
        }`,
        inputSchema: schema,
        annotations: {
          title,
          readOnlyHint: endpoint.method === 'GET' || endpoint.method === 'HEAD',
          destructiveHint: endpoint.method === 'DELETE',
          idempotentHint: endpoint.idempotent,
          // It acts on this GetPaidX account only, not on the open web.
          openWorldHint: false,
        },
        _meta: {
          endpointId: endpoint.id,
          method: endpoint.method,
          path: endpoint.path,
          requiredScopes: scopes,
        },
      },
      target,
    });
  }
  return tools;
}

/** Whether a token holding `granted` may call the tool (the same scope rule as the guard). */
export function toolAllowed(tool: McpTool, granted: readonly Scope[]): boolean {
  return missingScopes(granted, tool.target.scopes).length === 0;
}

function operationOf(openApi: OpenAPIObject, endpoint: CatalogEndpoint): Json | undefined {
  const item = (openApi.paths as Record<string, Json | undefined>)[endpoint.path];
  return item?.[endpoint.method.toLowerCase()] as Json | undefined;
}

/**
 * The tool's input: path and query parameters as top-level properties, the JSON body (if the
 * route takes one) under `body`, so a parameter and a body field can never collide. Schemas are
 * inlined (no `$ref`), because MCP clients read `inputSchema` on its own.
 */
function inputOf(
  openApi: OpenAPIObject,
  operation: Json,
  endpoint: CatalogEndpoint,
): { schema: Json & { type: 'object' }; target: McpToolTarget } {
  const properties: Record<string, Json> = {};
  const required: string[] = [];
  const pathParams: string[] = [];
  const queryParams: string[] = [];
  for (const raw of (operation.parameters as Json[] | undefined) ?? []) {
    const param = inline(openApi, raw);
    const name = param.name as string;
    const where = param.in as string;
    if (where !== 'path' && where !== 'query') continue;
    (where === 'path' ? pathParams : queryParams).push(name);
    const schema = inline(openApi, (param.schema as Json | undefined) ?? { type: 'string' });
    properties[name] = {
      ...schema,
      ...(param.description ? { description: param.description } : {}),
    };
    if (where === 'path' || param.required === true) required.push(name);
  }
  const body = (operation.requestBody as Json | undefined) ?? undefined;
  const content = body?.content as Record<string, Json> | undefined;
  const json = content?.['application/json'];
  if (json) {
    properties.body = inline(openApi, (json.schema as Json | undefined) ?? { type: 'object' });
    if (body?.required !== false) required.push('body');
  }
  return {
    schema: {
      type: 'object',
      properties,
      ...(required.length ? { required } : {}),
      additionalProperties: false,
    },
    target: {
      endpointId: endpoint.id,
      method: endpoint.method,
      path: endpoint.path,
      pathParams,
      queryParams,
      hasBody: Boolean(json),
      scopes: endpoint.pat.scopes as Scope[],
    },
  };
}

/** A schema with every `$ref` replaced by what it names (a cycle is cut to `{}`). */
function inline(openApi: OpenAPIObject, schema: Json, seen: readonly string[] = []): Json {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.split('/').pop()!;
    if (seen.includes(name)) return {};
    const target = (openApi.components?.schemas as Record<string, Json> | undefined)?.[name];
    return target ? inline(openApi, target, [...seen, name]) : {};
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-')) continue;
    if (Array.isArray(value)) {
      out[key] = (value as unknown[]).map((v) => (isObject(v) ? inline(openApi, v, seen) : v));
    } else if (isObject(value)) {
      out[key] = inline(openApi, value, seen);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The HTTP request a tool call stands for, or what is wrong with its arguments. */
export function requestFor(
  target: McpToolTarget,
  args: Record<string, unknown>,
): { url: string; body?: unknown } | { problem: string } {
  let url = target.path;
  for (const name of target.pathParams) {
    const value = args[name];
    if (typeof value !== 'string' && typeof value !== 'number')
      return { problem: `${name} is required (a path parameter).` };
    url = url.replace(`{${name}}`, encodeURIComponent(String(value)));
  }
  const query = new URLSearchParams();
  for (const name of target.queryParams) {
    const value = args[name];
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value])
      query.append(name, typeof item === 'object' ? JSON.stringify(item) : String(item));
  }
  const known = new Set([...target.pathParams, ...target.queryParams, 'body']);
  const unknown = Object.keys(args).filter((k) => !known.has(k));
  if (unknown.length) return { problem: `${unknown.join(', ')}: not an argument of this tool.` };
  const search = query.toString();
  return {
    url: search ? `${url}?${search}` : url,
    ...(target.hasBody && args.body !== undefined ? { body: args.body } : {}),
  };
}
