import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { CatalogDocument } from '../src/catalog/catalog.types.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { SAMPLE_PNG, uploadSamplePng } from './support/artifacts.js';
import { useTestApp } from './support/test-app.js';

/** The MCP server driven by the SDK's own client over a real socket, as an agent would. */
describe('agents: the MCP server at /api/mcp', () => {
  const t = useTestApp();
  let baseUrl: URL;
  let alice: SignedInUser;
  let readToken: string;
  let writeToken: string;
  let bareToken: string;
  let catalog: CatalogDocument;
  const clients: Client[] = [];

  beforeAll(async () => {
    const server = t.running.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/mcp`);
    alice = await signUp(t);
    readToken = (await createToken(t, alice, ['posts:read'])).token;
    writeToken = (await createToken(t, alice, ['posts:write'])).token;
    bareToken = (await createToken(t, alice, ['places:read'])).token;
    catalog = (await t.http().get('/api/programmatic/catalog')).body as CatalogDocument;
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  const connect = async (token: string) => {
    const client = new Client({ name: 'gpx-test-agent', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(baseUrl, { requestInit: { headers: bearer(token) } }),
    );
    clients.push(client);
    return client;
  };
  const countPosts = async () =>
    Number((await t.sql<{ n: string }>('SELECT count(*) AS n FROM posts'))[0].n);

  it('lists the feed but not post creation to a posts:read token', async () => {
    const client = await connect(readToken);
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).toContain('posts_feed');
    expect(names).not.toContain('posts_create');
    // Tokens need no scope for their own metadata and the can-I check.
    expect(names).toEqual(expect.arrayContaining(['tokens_self', 'tokens_self_check']));
    // Never a tool: routes a token cannot call at all, and the MCP endpoint itself.
    for (const e of catalog.endpoints.filter((x) => x.authKind !== 'user'))
      expect(names).not.toContain(e.id.replace(/\./g, '_'));
    const feed = tools.find((tool) => tool.name === 'posts_feed')!;
    expect(feed.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
    });
    expect(feed.description).toContain('posts:read');
    expect(feed.inputSchema.properties).toHaveProperty('limit');
  });

  it('generates one tool per token-callable endpoint, with the OpenAPI input and the catalog hints', async () => {
    const all = catalog.scopes.map((s) => s.name);
    const full = (await createToken(t, alice, all)).token;
    const { tools } = await (await connect(full)).listTools();
    const expected = catalog.endpoints
      .filter((e) => e.authKind === 'user')
      .map((e) => e.id.replace(/\./g, '_'))
      .sort();
    expect(tools.map((tool) => tool.name).sort()).toEqual(expected);
    const create = tools.find((tool) => tool.name === 'posts_create')!;
    expect(create.inputSchema.required).toEqual(['body']);
    const body = (create.inputSchema.properties as Record<string, Record<string, unknown>>).body;
    expect(body.properties).toHaveProperty('title');
    expect(JSON.stringify(create.inputSchema)).not.toContain('$ref');
    expect(create.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: false });
    const remove = tools.find((tool) => tool.name === 'posts_delete')!;
    expect(remove.annotations).toMatchObject({ destructiveHint: true, idempotentHint: true });
    expect(remove.inputSchema.required).toEqual(['postId']);
  });

  it('creates a post when a posts:write token calls posts_create, through the HTTP route', async () => {
    const client = await connect(writeToken);
    const before = await countPosts();
    const result = (await client.callTool({
      name: 'posts_create',
      arguments: { body: { title: 'From an agent', body: 'Hello', status: 'PUBLISHED' } },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const post = result.structuredContent as { id: string; title: string };
    expect(post.title).toBe('From an agent');
    expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(post);
    const rows = await t.sql<{ title: string; author_id: string }>(
      'SELECT title, author_id FROM posts WHERE id = $1',
      [post.id],
    );
    expect(rows).toEqual([{ title: 'From an agent', author_id: alice.id }]);
    expect(await countPosts()).toBe(before + 1);
    // The same call is readable over HTTP, and a tool reads it back by its path parameter.
    const read = (await client.callTool({
      name: 'posts_get',
      arguments: { postId: post.id },
    })) as CallToolResult;
    expect((read.structuredContent as { id: string }).id).toBe(post.id);
  });

  it('refuses posts_create to a posts:read token with insufficient_scope, writing no post', async () => {
    const client = await connect(readToken);
    const before = await countPosts();
    const result = (await client.callTool({
      name: 'posts.create', // the endpoint id works too
      arguments: { body: { title: 'Should not exist', body: 'x', status: 'PUBLISHED' } },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({
      status: 403,
      code: 'insufficient_scope',
      requiredScopes: ['posts:write'],
      grantedScopes: ['posts:read'],
    });
    expect((result.content[0] as { text: string }).text).toMatch(/^insufficient_scope: /);
    expect(await countPosts()).toBe(before);
    expect(await t.sql(`SELECT 1 FROM posts WHERE title = 'Should not exist'`)).toHaveLength(0);
    // The guard audited the refusal exactly as for an HTTP call.
    await expect
      .poll(() =>
        t.sql(
          `SELECT 1 FROM audit_events WHERE action = 'access.denied'
             AND details->>'reason' = 'insufficient_scope' AND details->>'route' = 'POST /api/posts'`,
        ),
      )
      .toHaveLength(1);
  });

  it('answers a route problem as a tool error with its code and detail (validation, not found)', async () => {
    const client = await connect(writeToken);
    const invalid = (await client.callTool({
      name: 'posts_create',
      arguments: { body: { title: '', body: 'x', status: 'NOPE' } },
    })) as CallToolResult;
    expect(invalid.isError).toBe(true);
    expect(invalid.structuredContent).toMatchObject({ status: 400, code: 'validation_failed' });
    const missing = (await client.callTool({
      name: 'posts_get',
      arguments: { postId: '00000000-0000-4000-8000-000000000000' },
    })) as CallToolResult;
    expect(missing.structuredContent).toMatchObject({ status: 404, code: 'not_found' });
    const badArgs = (await client.callTool({
      name: 'posts_get',
      arguments: {},
    })) as CallToolResult;
    expect(badArgs.structuredContent).toMatchObject({ code: 'validation_failed' });
    const unknown = (await client.callTool({ name: 'nope', arguments: {} })) as CallToolResult;
    expect(unknown.structuredContent).toMatchObject({ code: 'not_found' });
  });

  it('returns a file a route answers (an artifact download) as an embedded blob', async () => {
    const author = (await createToken(t, alice, ['posts:write', 'artifacts:write'])).token;
    const post = (
      await t
        .http()
        .post('/api/posts')
        .set(bearer(author))
        .send({ title: 'With a file', body: 'x', status: 'PUBLISHED' })
        .expect(201)
    ).body as { id: string };
    await uploadSamplePng(t, author, post.id, { commit: true });
    const client = await connect(readToken);
    const result = (await client.callTool({
      name: 'artifacts_download',
      arguments: { postId: post.id },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({
      status: 200,
      contentType: 'image/png',
      bytes: SAMPLE_PNG.length,
    });
    const blob = result.content[1] as { resource: { blob: string; mimeType: string } };
    expect(blob.resource.mimeType).toBe('image/png');
    expect(Buffer.from(blob.resource.blob, 'base64').equals(SAMPLE_PNG)).toBe(true);
  });

  it('serves the catalog workflows as prompts and the catalog as a resource', async () => {
    const client = await connect(bareToken);
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(catalog.workflows.map((w) => w.id));
    const prompt = await client.getPrompt({ name: 'publish_post' });
    const text = (prompt.messages[0].content as { text: string }).text;
    expect(text).toContain('posts.create');
    const { resources } = await client.listResources();
    expect(resources).toHaveLength(1);
    const read = await client.readResource({ uri: resources[0].uri });
    const served = JSON.parse((read.contents[0] as { text: string }).text) as CatalogDocument;
    expect(served.endpoints.map((e) => e.id)).toEqual(catalog.endpoints.map((e) => e.id));
  });

  it('is in the catalog and OpenAPI as a token-only route', async () => {
    const mcp = catalog.endpoints.find((e) => e.id === 'mcp.post');
    expect(mcp).toMatchObject({
      method: 'POST',
      path: '/api/mcp',
      authKind: 'token-only',
      pat: { supported: true, scopes: [] },
      browserSession: { supported: false },
    });
    const openApi = (await t.http().get('/api/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { security?: unknown; 'x-gpx'?: unknown }>>;
    };
    expect(openApi.paths['/api/mcp'].post.security).toEqual([{ pat: [] }]);
    expect(openApi.paths['/api/mcp'].post['x-gpx']).toMatchObject({ authKind: 'token-only' });
  });

  it('takes personal access tokens only: no credentials, a bad token and a session are refused', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'curl', version: '1' },
      },
    };
    const post = () =>
      t.http().post('/api/mcp').set('Accept', 'application/json, text/event-stream');
    const none = await post().send(initialize);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ code: 'unauthenticated' });
    const bad = await post()
      .set(bearer('gpx_pat_0000000000000000000000000000000000000'))
      .send(initialize);
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ code: 'invalid_token' });
    const session = await post()
      .set({ Cookie: alice.cookie, 'X-CSRF-Token': alice.csrfToken })
      .send(initialize);
    expect(session.status).toBe(403);
    expect(session.body).toMatchObject({ code: 'forbidden' });
    const stream = await t.http().get('/api/mcp').set(bearer(bareToken));
    expect(stream.status).toBe(405);
    expect(stream.headers.allow).toBe('POST');
    expect(stream.body).toMatchObject({ code: 'method_not_allowed' });
  });
});
