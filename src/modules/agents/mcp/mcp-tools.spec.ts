import type { OpenAPIObject } from '@nestjs/swagger';
import type { CatalogEndpoint } from '../../../catalog/catalog.types.js';
import { buildMcpTools, requestFor, toolAllowed, toolName } from './mcp-tools.js';

const endpoint = (over: Partial<CatalogEndpoint>): CatalogEndpoint =>
  ({
    id: 'posts.replies.list',
    module: 'content',
    method: 'GET',
    path: '/api/posts/{postId}/replies',
    summary: 'Replies to a post.',
    authKind: 'user',
    pat: { supported: true, scopes: ['posts:read'] },
    idempotent: true,
    ...over,
  }) as CatalogEndpoint;

const openApi = {
  paths: {
    '/api/posts/{postId}/replies': {
      get: {
        parameters: [
          { name: 'postId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer' } },
        ],
      },
      post: {
        parameters: [{ name: 'postId', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Reply' } } },
        },
      },
    },
    '/api/tokens': { post: {} },
    '/api/mcp': { post: {} },
  },
  components: {
    schemas: {
      Reply: {
        type: 'object',
        properties: { body: { type: 'string' }, parent: { $ref: '#/components/schemas/Reply' } },
        'x-internal': true,
      },
    },
  },
} as unknown as OpenAPIObject;

describe('MCP tools generated from the catalog', () => {
  const tools = buildMcpTools(
    [
      endpoint({}),
      endpoint({
        id: 'posts.replies.create',
        method: 'POST',
        idempotent: false,
        pat: { supported: true, scopes: ['posts:write'] },
      }),
      endpoint({
        id: 'tokens.create',
        method: 'POST',
        path: '/api/tokens',
        authKind: 'browser-only',
      }),
      endpoint({ id: 'mcp.post', method: 'POST', path: '/api/mcp', authKind: 'token-only' }),
    ],
    openApi,
  );

  it('makes one tool per endpoint a token can call, never browser-only ones or the MCP route', () => {
    expect(tools.map((t) => t.definition.name)).toEqual([
      'posts_replies_list',
      'posts_replies_create',
    ]);
    expect(toolName('a.b-c_d')).toBe('a_b-c_d');
  });

  it('takes path and query parameters as arguments and the body, inlined, under body', () => {
    const [list, create] = tools;
    expect(list.definition.inputSchema).toEqual({
      type: 'object',
      properties: { postId: { type: 'string' }, limit: { type: 'integer' } },
      required: ['postId'],
      additionalProperties: false,
    });
    expect(create.definition.inputSchema.required).toEqual(['postId', 'body']);
    // The $ref is inlined, its cycle cut, extensions dropped.
    expect(create.definition.inputSchema.properties).toMatchObject({
      body: { type: 'object', properties: { body: { type: 'string' }, parent: {} } },
    });
    expect(JSON.stringify(create.definition.inputSchema)).not.toMatch(/\$ref|x-internal/);
    expect(create.definition.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
    });
    expect(create.definition.description).toContain('Requires scopes: posts:write.');
  });

  it('allows a tool by the guard’s scope rule, implications included', () => {
    const [list, create] = tools;
    expect(toolAllowed(list, ['posts:write'])).toBe(true);
    expect(toolAllowed(create, ['posts:read'])).toBe(false);
  });

  it('turns arguments into the request, refusing missing path parameters and unknown arguments', () => {
    const [list, create] = tools;
    expect(requestFor(list.target, { postId: 'a b/c', limit: 5 })).toEqual({
      url: '/api/posts/a%20b%2Fc/replies?limit=5',
    });
    expect(requestFor(create.target, { postId: 'p1', body: { body: 'hi' } })).toEqual({
      url: '/api/posts/p1/replies',
      body: { body: 'hi' },
    });
    expect(requestFor(list.target, {})).toEqual({
      problem: 'postId is required (a path parameter).',
    });
    expect(requestFor(list.target, { postId: 'p', nope: 1 })).toEqual({
      problem: 'nope: not an argument of this tool.',
    });
  });
});
