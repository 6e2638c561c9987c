import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileErrors, validate } from '@readme/openapi-parser';
import {
  ARAZZO_SNAPSHOT,
  normaliseCatalog,
  SNAPSHOT_BASE_URL,
  SNAPSHOT_DIR,
  stableJson,
} from '../src/catalog/snapshot.js';
import { bearer, createToken, signUp } from './support/actors.js';
import { type TestApp, useTestApp } from './support/test-app.js';
import { CatalogService } from '../src/catalog/catalog.service.js';
import type { CatalogEndpoint } from '../src/catalog/catalog.types.js';

/** Nest's own route table, read off the Express router it registered the routes on. */
function registeredRoutes(t: TestApp): string[] {
  // Nest registers routes excluded from the global prefix under trailing-slash variants too;
  // those are one route, so the table is normalised and de-duplicated.
  const express = t.running.app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  return (
    express.router.stack
      // Route layers only; Nest mounts middleware as routes for every method (ACL, BIND, …): skip those.
      .filter((layer) => layer.route && !layer.route.methods.acl && !layer.route.methods._all)
      .flatMap((layer) =>
        Object.keys(layer.route!.methods)
          .filter((m) => m !== '_all')
          .map(
            (m) =>
              `${m.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1')}`,
          ),
      )
      // Everything but the Swagger UI and JSON that SwaggerModule mounts outside Nest's router.
      .filter((r) => !r.includes(' /api/docs') && !r.includes(' /api/openapi'))
      .filter((r, i, all) => all.indexOf(r) === i)
  );
}

describe('the live API catalog', () => {
  const t = useTestApp({ env: { ADMIN_EMAILS: 'cat-admin@example.com' } });

  it('lists every route Nest registered exactly once, and nothing else (admin view)', async () => {
    const admin = await signUp(t, { email: 'cat-admin@example.com' });
    const res = await t
      .http()
      .get('/api/programmatic/catalog')
      .set('Cookie', admin.cookie)
      .expect(200);
    const catalogued = (res.body.endpoints as CatalogEndpoint[]).map(
      (e) => `${e.method} ${e.path}`,
    );
    // HEAD routes are catalogued as their own endpoint; Express lists them explicitly too.
    expect([...catalogued].sort()).toEqual([...registeredRoutes(t)].sort());
    expect(new Set(catalogued).size).toBe(catalogued.length);
    expect(new Set((res.body.endpoints as CatalogEndpoint[]).map((e) => e.id)).size).toBe(
      catalogued.length,
    );
  });

  it('hides internal and admin-only endpoints from everyone but admins', async () => {
    const anon = await t.http().get('/api/programmatic/catalog').expect(200);
    const kinds = new Set((anon.body.endpoints as CatalogEndpoint[]).map((e) => e.authKind));
    expect(kinds.has('admin-only')).toBe(false);
    expect(kinds.has('internal')).toBe(false);
    expect((anon.body.endpoints as CatalogEndpoint[]).map((e) => e.id)).not.toContain(
      'admin.users.list',
    );
    await t.http().get('/api/programmatic/catalog/endpoints/admin.users.list').expect(404);
  });

  it('describes access exactly as the guard enforces it', async () => {
    const res = await t.http().get('/api/programmatic/catalog').expect(200);
    const byId = new Map((res.body.endpoints as CatalogEndpoint[]).map((e) => [e.id, e]));
    expect(byId.get('tokens.create')).toMatchObject({
      method: 'POST',
      path: '/api/tokens',
      authKind: 'browser-only',
      pat: { supported: false, scopes: [] },
      browserSession: { supported: true, csrf: true },
    });
    expect(byId.get('tokens.revoke')!.path).toBe('/api/tokens/{tokenId}');
    expect(byId.get('me.get')).toMatchObject({
      authKind: 'user',
      pat: { supported: true, scopes: [] },
      browserSession: { supported: true, csrf: false },
    });
    expect(byId.get('me.get')!.errors.map((e) => e.code)).toEqual(
      expect.arrayContaining(['unauthenticated', 'invalid_token', 'rate_limited']),
    );
    expect(byId.get('tokens.create')!.errors.map((e) => e.code)).toEqual(
      expect.arrayContaining(['validation_failed', 'session_required', 'csrf_failed']),
    );
    expect(byId.get('catalog.endpoint')!.errors.map((e) => e.code)).toContain('not_found');
    expect(byId.get('health.live')).toMatchObject({
      authKind: 'public',
      pat: { supported: false },
    });
    expect(res.body.scopes).toHaveLength(16);
    expect(res.body.scopes.find((s: { name: string }) => s.name === 'posts:write').implies).toEqual(
      ['posts:read'],
    );
    expect(res.body.errors.map((e: { code: string }) => e.code)).toContain('insufficient_scope');
  });

  it('agrees with the running app: a PAT works exactly where the catalog says it does', async () => {
    const user = await signUp(t);
    const { token } = await createToken(t, user, ['places:read']);
    const res = await t.http().get('/api/programmatic/catalog').expect(200);
    for (const e of res.body.endpoints as CatalogEndpoint[]) {
      if (e.method !== 'GET' || e.path.includes('{')) continue;
      const call = await t.http().get(e.path).set(bearer(token));
      expect(call.status, `${e.id}`).toBeLessThan(500);
      if (e.authKind === 'browser-only') expect(call.body.code, e.id).toBe('session_required');
      if (e.authKind === 'user' && e.pat.scopes.length === 0)
        expect([401, 403], e.id).not.toContain(call.status);
      if (e.authKind === 'public') expect([401, 403], e.id).not.toContain(call.status);
    }
  });

  it('serves workflows that only name real endpoints, cross-linked from the endpoints', async () => {
    expect(t.running.app.get(CatalogService).danglingWorkflowSteps()).toEqual([]);
    const wf = await t
      .http()
      .get('/api/programmatic/catalog/workflows/create_personal_access_token')
      .expect(200);
    expect(wf.body.steps.map((s: { endpoint: string }) => s.endpoint)).toEqual([
      'auth.login',
      'tokens.create',
      'tokens.list',
      'tokens.narrow',
      'tokens.rotate',
    ]);
    expect(wf.body.steps[1]).toMatchObject({ method: 'POST', path: '/api/tokens' });
    const ep = await t.http().get('/api/programmatic/catalog/endpoints/tokens.self').expect(200);
    expect(ep.body.workflows).toEqual(['inspect_my_token', 'delegate_to_agent']);
    const missing = await t.http().get('/api/programmatic/catalog/workflows/nope').expect(404);
    expect(missing.body.code).toBe('not_found');
  });

  it('answers with a strong ETag, 304 on If-None-Match, HEAD and Cache-Control', async () => {
    const identity = { 'Accept-Encoding': 'identity' };
    const first = await t.http().get('/api/programmatic/catalog').set(identity).expect(200);
    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers['cache-control']).toContain('max-age');
    expect(first.headers['content-encoding']).toBeUndefined();
    const again = await t
      .http()
      .get('/api/programmatic/catalog')
      .set({ ...identity, 'If-None-Match': first.headers.etag })
      .expect(304);
    expect(again.text ?? '').toBe('');
    const head = await t.http().head('/api/programmatic/catalog').set(identity).expect(200);
    expect(head.headers.etag).toBe(first.headers.etag);
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(first.text));
  });

  it('serves the same document gzipped, precompressed, with its own ETag', async () => {
    const plain = await t
      .http()
      .get('/api/programmatic/catalog')
      .set('Accept-Encoding', 'identity')
      .expect(200);
    const gz = await t
      .http()
      .get('/api/programmatic/catalog')
      .set('Accept-Encoding', 'gzip')
      .expect(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.etag).toBe(plain.headers.etag.replace(/"$/, '-gzip"'));
    expect(gz.body).toEqual(plain.body);
    await t
      .http()
      .get('/api/programmatic/catalog')
      .set({ 'Accept-Encoding': 'gzip', 'If-None-Match': gz.headers.etag })
      .expect(304);
  });

  it('filters by scope, module, authKind, pat and free text', async () => {
    const get = async (query: Record<string, string>) =>
      (
        (await t.http().get('/api/programmatic/catalog').query(query).expect(200)).body
          .endpoints as CatalogEndpoint[]
      ).map((e) => e.id);
    expect(await get({ authKind: 'browser-only' })).toEqual(
      expect.arrayContaining(['tokens.create', 'tokens.list', 'tokens.revoke']),
    );
    expect(await get({ pat: 'true' })).toEqual(expect.arrayContaining(['me.get', 'tokens.self']));
    expect(await get({ pat: 'true' })).not.toContain('tokens.create');
    expect(await get({ module: 'catalog' })).toEqual(
      expect.arrayContaining(['catalog.get', 'catalog.endpoint']),
    );
    expect(await get({ q: 'self' })).toEqual([
      'tokens.self',
      'tokens.self_check',
      'tokens.self_children_list',
      'tokens.self_children_create',
      'tokens.self_rotate',
    ]);
    expect(await get({ scope: 'posts:read' })).toEqual(
      expect.arrayContaining(['posts.feed', 'posts.get', 'posts.replies.list']),
    );
    expect(await get({ scope: 'posts:read' })).not.toContain('posts.create');
    const bad = await t
      .http()
      .get('/api/programmatic/catalog')
      .query({ scope: 'posts:delete' })
      .expect(400);
    expect(bad.body.errors[0].field).toBe('scope');
  });

  it('writes the same facts into OpenAPI as one x-gpx object per operation', async () => {
    const doc = await t.http().get('/api/openapi.json').expect(200);
    const op = doc.body.paths['/api/tokens'].post;
    expect(op['x-gpx']).toMatchObject({
      authKind: 'browser-only',
      pat: { supported: false },
      browserSession: { csrf: true },
    });
    expect(op.security).toEqual([{ session: [] }]);
    expect(doc.body.components.securitySchemes.pat).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });
});

describe('catalog and OpenAPI snapshots', () => {
  const t = useTestApp({ env: { PUBLIC_BASE_URL: SNAPSHOT_BASE_URL } });

  it('serves exactly the committed public catalog (run npm run catalog:snapshot after reviewing a change)', async () => {
    const live = (await t.http().get('/api/programmatic/catalog').expect(200)).body;
    const committed = readFileSync(join(SNAPSHOT_DIR, 'catalog.json'), 'utf8');
    expect(stableJson(normaliseCatalog(live))).toBe(committed);
  });

  it('serves exactly the committed OpenAPI document', async () => {
    const live = (await t.http().get('/api/openapi.json').expect(200)).body;
    expect(stableJson(live)).toBe(readFileSync(join(SNAPSHOT_DIR, 'openapi.json'), 'utf8'));
  });

  it('serves exactly the committed Arazzo document of the workflows', async () => {
    const live = (await t.http().get('/api/programmatic/workflows.arazzo.json').expect(200)).body;
    expect(stableJson(live)).toBe(readFileSync(join(SNAPSHOT_DIR, ARAZZO_SNAPSHOT), 'utf8'));
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const live = (await t.http().get('/api/openapi.json').expect(200)).body;
    const result = await validate(structuredClone(live));
    expect(result.valid ? 'valid' : compileErrors(result)).toBe('valid');
  });

  it('documents in the public OpenAPI exactly the operations of the public catalog', async () => {
    const doc = (await t.http().get('/api/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const catalog = (await t.http().get('/api/programmatic/catalog').expect(200)).body as {
      endpoints: { id: string; authKind: string }[];
    };
    const operations = Object.values(doc.paths).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    expect(operations.sort()).toEqual(catalog.endpoints.map((e) => e.id).sort());
    // Admin-only operations exist (the admin catalog lists them) but are not published.
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/admin'))).toEqual([]);
  });

  it('gives every field a real type (a `string | null` property would otherwise say "object")', async () => {
    const live = (await t.http().get('/api/openapi.json').expect(200)).body as {
      components: { schemas: Record<string, { properties?: Record<string, JsonSchema> }> };
    };
    type JsonSchema = {
      type?: string | string[];
      properties?: object;
      additionalProperties?: unknown;
    };
    const shapeless = Object.entries(live.components.schemas).flatMap(([name, schema]) =>
      Object.entries(schema.properties ?? {})
        .filter(([, p]) => p.type === 'object' && !p.properties && !p.additionalProperties)
        .map(([property]) => `${name}.${property}`),
    );
    expect(shapeless).toEqual([]);
  });
});

describe('the workflows as Arazzo 1.0.1', () => {
  const t = useTestApp({ env: { PUBLIC_BASE_URL: SNAPSHOT_BASE_URL } });
  const path = '/api/programmatic/workflows.arazzo.json';

  it('answers with a strong ETag and 304 on If-None-Match, like the catalog', async () => {
    const first = await t.http().get(path).set('Accept-Encoding', 'identity').expect(200);
    expect(first.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    const again = await t
      .http()
      .get(path)
      .set({ 'Accept-Encoding': 'identity', 'If-None-Match': first.headers.etag })
      .expect(304);
    expect(again.text ?? '').toBe('');
    await t.http().get(path).set('If-None-Match', '"stale"').expect(200);
  });

  it('is linked from the catalog and the RFC 9727 linkset, and runs against /api/openapi.json', async () => {
    const catalog = (await t.http().get('/api/programmatic/catalog').expect(200)).body as {
      links: Record<string, string>;
      workflows: { id: string; scopes: string[]; steps: { optional?: boolean }[] }[];
    };
    expect(catalog.links.workflows).toBe(`${SNAPSHOT_BASE_URL}${path}`);
    const linkset = JSON.parse(
      (await t.http().get('/.well-known/api-catalog').expect(200)).text,
    ) as { linkset: { 'service-desc'?: { href: string }[] }[] };
    expect(linkset.linkset[1]['service-desc']?.map((l) => l.href)).toContain(
      `${SNAPSHOT_BASE_URL}${path}`,
    );
    const doc = (await t.http().get(path).expect(200)).body as {
      arazzo: string;
      sourceDescriptions: { name: string; url: string; type: string }[];
      workflows: {
        workflowId: string;
        'x-gpx-scopes': string[];
        inputs: { properties: Record<string, unknown> };
        steps: { stepId: string; parameters?: { name: string; value: unknown }[] }[];
      }[];
    };
    expect(doc.arazzo).toBe('1.0.1');
    expect(doc.sourceDescriptions).toEqual([
      { name: 'api', url: `${SNAPSHOT_BASE_URL}/api/openapi.json`, type: 'openapi' },
    ]);
    // Same workflows, same scopes, the optional (prose-only) steps left out.
    expect(doc.workflows.map((w) => [w.workflowId, w['x-gpx-scopes']])).toEqual(
      catalog.workflows.map((w) => [w.id, w.scopes]),
    );
    for (const [i, w] of doc.workflows.entries())
      expect(w.steps.length, w.workflowId).toBe(
        catalog.workflows[i].steps.filter((s) => !s.optional).length,
      );
    const publish = doc.workflows.find((w) => w.workflowId === 'publish_post')!;
    expect(publish['x-gpx-scopes']).toEqual(['posts:write']);
    expect(Object.keys(publish.inputs.properties)).toEqual(['token', 'title', 'body']);
    expect(publish.steps[0]).toMatchObject({
      stepId: 'posts_create',
      operationPath: '{$sourceDescriptions.api.url}#/paths/~1api~1posts/post',
      parameters: [{ name: 'Authorization', in: 'header', value: 'Bearer {$inputs.token}' }],
      successCriteria: [{ condition: '$statusCode == 201' }],
      outputs: { postId: '$response.body#/id', referenceId: '$response.body#/referenceId' },
    });
    const notRunnable = doc.workflows.filter((w) => 'x-gpx-runnable' in w);
    expect(notRunnable.map((w) => w.workflowId)).toEqual(['create_webhook_automation']);
  });
});
