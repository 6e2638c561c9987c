import { effectiveScopes, type Scope } from '../src/access/scopes.js';
import type { CatalogEndpoint, CatalogWorkflow } from '../src/catalog/catalog.types.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { BackgroundWrites } from '../src/database/index.js';
import { useTestApp } from './support/test-app.js';
import { signHook } from './support/workspace.js';

/**
 * Issue 19, item 5: each workflow, run with a PAT lacking one of its required scopes, fails at the
 * first step that needs that scope, with 403 insufficient_scope, and that refused request writes
 * nothing. The steps are run by a small executor of the catalog's structured steps (the same
 * structure the Arazzo document is generated from); `npm run test:workflows` runs them green with
 * Redocly respect.
 */
const t = useTestApp({ env: { BACKGROUND_WORK: 'false' } });

type Step = CatalogWorkflow['steps'][number];
type Values = Record<string, unknown>;
interface Response {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

let catalog: { endpoints: CatalogEndpoint[]; workflows: CatalogWorkflow[] };
let user: SignedInUser;
let ownPost: string;
const pdf = '%PDF-1.4\n% least privilege\n';

beforeAll(async () => {
  catalog = (await t.http().get('/api/programmatic/catalog').expect(200)).body as typeof catalog;
  user = await signUp(t);
  const { token } = await createToken(t, user, ['posts:write']);
  ownPost = (
    await t
      .http()
      .post('/api/posts')
      .set(bearer(token))
      .send({ title: 'Mine', body: 'for the workflows', status: 'PUBLISHED' })
      .expect(201)
  ).body.id as string;
});

/** Inputs good enough to reach each step; a refused step is refused before its input matters. */
function sampleInputs(): Values {
  return {
    email: user.email,
    password: user.password,
    tokenName: 'least privilege',
    scopes: ['posts:read'],
    narrowTo: ['posts:read'],
    endpointId: 'posts.create',
    productUpdates: false,
    q: 'nobody',
    tags: ['vip'],
    title: 'Least privilege',
    body: 'never written',
    limit: 5,
    postId: ownPost,
    filename: 'flyer.pdf',
    contentType: 'application/pdf',
    size: Buffer.byteLength(pdf),
    content: pdf,
    idempotencyKey: `lp-${Date.now()}`,
    country: 'DE',
    prompt: 'Say hello.',
    mode: 'VIEW',
    name: 'LP_SECRET',
    value: 'secret',
    url: 'https://hooks.example.com/lp',
    events: ['post.published'],
    promptTemplate: 'Order {{payload.orderId}}',
    payload: { orderId: 'o-1' },
    signature: 'computed per request below',
  };
}

function pointer(value: unknown, path: string): unknown {
  return path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
}

/** Evaluates the runtime expressions the workflows use ($inputs, $steps, $response, $statusCode). */
function evaluate(
  expr: string,
  ctx: { inputs: Values; steps: Record<string, Values>; res?: Response },
): unknown {
  let m: RegExpExecArray | null;
  if ((m = /^\$inputs\.([\w-]+)$/.exec(expr))) return ctx.inputs[m[1]];
  if ((m = /^\$steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr))) return ctx.steps[m[1]]?.[m[2]];
  if (expr === '$statusCode') return ctx.res?.status;
  if ((m = /^\$response\.body#(.*)$/.exec(expr))) return pointer(ctx.res?.body, m[1]);
  if ((m = /^\$response\.header\.([\w-]+)$/.exec(expr))) {
    const h = ctx.res?.headers[m[1].toLowerCase()];
    return Array.isArray(h) ? h.join('; ') : h;
  }
  if (/^'.*'$/.test(expr)) return expr.slice(1, -1);
  if (/^(true|false|-?\d+(\.\d+)?)$/.test(expr)) return JSON.parse(expr) as unknown;
  if (expr.includes('{$'))
    return expr.replace(/\{(\$[^}]+)\}/g, (_, e: string) => String(evaluate(e, ctx)));
  if (expr.startsWith('$')) throw new Error(`the executor does not know ${expr}`);
  return expr;
}

function resolve(value: unknown, ctx: Parameters<typeof evaluate>[1]): unknown {
  if (typeof value === 'string') return evaluate(value, ctx);
  if (Array.isArray(value)) return value.map((v) => resolve(v, ctx));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, ctx)]));
  return value;
}

async function send(
  step: Step,
  endpoint: CatalogEndpoint,
  token: string,
  ctx: Parameters<typeof evaluate>[1],
): Promise<Response> {
  let path = endpoint.path;
  const query: Values = {};
  const headers: Record<string, string> = {};
  if (endpoint.pat.supported) Object.assign(headers, bearer(token));
  for (const p of step.parameters ?? []) {
    const v = resolve(p.value, ctx);
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(String(v)));
    else if (p.in === 'query') query[p.name] = v;
    else headers[p.name] = String(v);
  }
  if (step.callUrl) path = new URL(String(resolve(step.callUrl, ctx))).pathname;
  let body = step.requestBody ? resolve(step.requestBody.payload, ctx) : undefined;
  if (step.endpoint === 'workspace.hooks.receive') {
    // The outside system's part: sign the body with the hook secret the first step returned.
    body = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
    headers['X-GPX-Signature'] = signHook(headers['X-GPX-Webhook-Secret'], body as string);
  }
  const contentType = step.requestBody?.contentType;
  if (contentType && contentType !== 'application/json') headers['Content-Type'] = contentType;
  const method = endpoint.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  const req = t.http()[method](path).query(query).set(headers);
  const res = await (body === undefined ? req : req.send(body as object));
  return { status: res.status, body: res.body as unknown, headers: res.headers };
}

function passes(step: Step, ctx: Parameters<typeof evaluate>[1]): boolean {
  return (step.successCriteria ?? []).every((c) => {
    const [lhs, rhs] = c.split(' == ');
    return evaluate(lhs, ctx) === evaluate(rhs, ctx);
  });
}

async function rowCounts(): Promise<Record<string, number>> {
  const tables = await t.sql<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables)
    counts[table_name] = (
      await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${table_name}"`)
    )[0].n;
  return counts;
}

/** Any scope that neither is nor covers the missing one: a PAT needs at least one. */
function filler(missing: Scope): Scope {
  return (['places:read', 'notifications:read'] as Scope[]).find(
    (s) => !effectiveScopes([s]).has(missing),
  )!;
}

describe('every workflow, with a PAT lacking one of its scopes', () => {
  it('is a real check: there are workflows with scopes to take away', () => {
    const withScopes = catalog.workflows.filter((w) => w.scopes.length > 0);
    expect(withScopes.length).toBeGreaterThanOrEqual(12);
    expect(catalog.workflows.find((w) => w.id === 'publish_post')?.scopes).toEqual(['posts:write']);
  });

  it('fails at the first step needing that scope with insufficient_scope, and that request writes nothing', async () => {
    const byId = new Map(catalog.endpoints.map((e) => [e.id, e]));
    const seen: string[] = [];
    for (const workflow of catalog.workflows) {
      for (const missing of workflow.scopes as Scope[]) {
        const label = `${workflow.id} without ${missing}`;
        const rest = (workflow.scopes as Scope[]).filter((s) => s !== missing);
        const granted = rest.length ? rest : [filler(missing)];
        const { token } = await createToken(t, user, granted);
        const covered = effectiveScopes(granted);
        const steps = workflow.steps.filter((s) => !s.optional);
        const refusedAt = steps.findIndex((s) =>
          byId.get(s.endpoint)!.pat.scopes.some((scope) => !covered.has(scope as Scope)),
        );
        expect(refusedAt, label).toBeGreaterThanOrEqual(0);
        expect(
          byId
            .get(steps[refusedAt].endpoint)!
            .pat.scopes.some((s) => effectiveScopes([missing]).has(s as Scope)),
          label,
        ).toBe(true);
        const ctx = {
          inputs: sampleInputs(),
          steps: {} as Record<string, Values>,
          res: undefined as Response | undefined,
        };
        for (const [index, step] of steps.entries()) {
          const endpoint = byId.get(step.endpoint)!;
          const stepLabel = `${label}: step ${index + 1} ${step.endpoint}`;
          if (index < refusedAt) {
            ctx.res = await send(step, endpoint, token, ctx);
            expect({
              step: stepLabel,
              passed: passes(step, ctx),
              status: ctx.res.status,
            }).toMatchObject({ passed: true });
            ctx.steps[step.id ?? step.endpoint.replace(/\./g, '_')] = Object.fromEntries(
              Object.entries(step.outputs ?? {}).map(([k, e]) => [k, evaluate(e, ctx)]),
            );
            continue;
          }
          // The refusal's audit row is written off the request path: wait for writes in flight
          // (earlier steps' token-use rows, then the refusal's) before each count.
          const background = t.running.app.get(BackgroundWrites);
          await background.settled();
          const before = await rowCounts();
          ctx.res = await send(step, endpoint, token, ctx);
          await background.settled();
          expect({ step: stepLabel, status: ctx.res.status, body: ctx.res.body }).toMatchObject({
            status: 403,
            body: { code: 'insufficient_scope', grantedScopes: [...granted].sort() },
          });
          expect((ctx.res.body as { requiredScopes: string[] }).requiredScopes, stepLabel).toEqual(
            endpoint.pat.scopes,
          );
          // The one trace a refusal leaves is its audit record (access.denied); nothing else.
          expect(await rowCounts(), stepLabel).toEqual({
            ...before,
            audit_events: before.audit_events + 1,
          });
          const [audit] = await t.sql<{ action: string; reason: string }>(
            `SELECT action, details->>'reason' AS reason FROM audit_events
              ORDER BY created_at DESC, id DESC LIMIT 1`,
          );
          expect(audit, stepLabel).toEqual({
            action: 'access.denied',
            reason: 'insufficient_scope',
          });
          seen.push(`${label} → ${step.endpoint}`);
          break;
        }
      }
    }
    expect(seen).toEqual(
      expect.arrayContaining([
        'publish_post without posts:write → posts.create',
        'update_notification_settings without notifications:write → notifications.get_settings',
        'replace_post_artifact without posts:read → artifacts.get',
        'create_checkout_link without billing:checkout → billing.checkout_links.create',
        'create_webhook_automation without workspaces:run → workspace.runs.get',
      ]),
    );
    expect(seen).toHaveLength(catalog.workflows.reduce((n, w) => n + w.scopes.length, 0));
  });
});
