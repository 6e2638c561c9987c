import type { Response } from 'supertest';
import { ALL_SCOPES, effectiveScopes, type Scope } from '../../src/access/scopes.js';
import type { CatalogEndpoint } from '../../src/catalog/catalog.types.js';
import { EventRelay } from '../../src/events/index.js';
import { bearer, createToken, type SignedInUser, signUp } from './actors.js';
import type { TestApp } from './test-app.js';

/**
 * The access matrix every domain module's routes must pass, driven by the live catalog so a new
 * route cannot escape it. For each endpoint the catalog lists for the module:
 *
 * - a browser session (with the CSRF header where the catalog says so) succeeds;
 * - the same session without the CSRF header is refused with csrf_failed (where CSRF applies);
 * - no credentials at all is refused with unauthenticated;
 * - a PAT holding exactly the catalog's scopes succeeds (`user` routes);
 * - a PAT holding every other scope is refused with insufficient_scope (`user` routes), and any
 *   PAT at all with session_required (`browser-only` routes).
 *
 * Every refused call must leave the database as it found it (a hash of every table, before and
 * after). The module supplies only what is its own: how to call each endpoint (path parameters,
 * query, body, fixtures) and what a successful call must have returned or changed.
 *
 * A new module's access test (test/<module>-access.e2e-spec.ts, see content-access for a full one):
 *
 *   const t = useTestApp();
 *   let owner: SignedInUser;
 *   beforeAll(async () => { owner = await signUp(t); });
 *   describeRouteMatrix({
 *     module: 'billing',
 *     app: t,
 *     caller: () => owner,
 *     cases: {
 *       'billing.get': async () => ({ path: '/api/billing', check: (body) => ... }),
 *       ...one entry per endpoint id the catalog lists for the module
 *     },
 *     outsideMatrix: { 'billing.stripe_webhook': 'webhook-ingress: billing-webhooks.e2e-spec.ts' },
 *   });
 *
 * An endpoint added later without a case fails the file, naming it.
 */

/** How a call is made: the credentials the matrix expects to succeed. */
export type Via = 'session' | 'pat';

/** One prepared call of an endpoint; prepared afresh for every caller, so each can succeed. */
export interface RouteCall {
  /** The path with its parameters filled in, plus any query string. */
  path: string;
  body?: Record<string, unknown>;
  /** Who calls, when not the matrix's caller (e.g. a fresh user for a call that ends a session). */
  caller?: SignedInUser;
  /**
   * The success status; by default the one the catalog declares for the endpoint. Per credential
   * where they differ (a route about the calling token, called with a session).
   */
  status?: number | Partial<Record<Via, number>>;
  /** What a successful call must have returned (`body`) or changed in the database. */
  check?: (body: Record<string, unknown>, res: Response, via: Via) => Promise<void> | void;
}

export interface RouteMatrix {
  /** The catalog's `module` name, e.g. "content". */
  module: string;
  app: TestApp;
  /** The signed-in user whose session and tokens make every call (read after boot). */
  caller: () => SignedInUser;
  /** By endpoint id: how to call it (create its fixtures, fill its path, build its body). */
  cases: Record<string, () => Promise<RouteCall>>;
  /**
   * Endpoints of the module that a user's session or token does not call (public,
   * webhook-ingress, internal, admin-only), by id, with the reason and the spec that covers them
   * instead. `user` and `browser-only`
   * endpoints cannot be listed here.
   */
  outsideMatrix?: Record<string, string>;
}

/** Kinds called with a user's credentials: the matrix covers each of their endpoints. */
const MATRIX_KINDS: readonly CatalogEndpoint['authKind'][] = ['user', 'browser-only'];

/**
 * What the access layer itself writes on any call, allowed or refused, partly in the background:
 * the last use of a session or token, and the audit trail of refusals. Left out of "changed
 * nothing"; every other column and row of every table is held to it.
 */
export const ACCESS_BOOKKEEPING: Readonly<
  Record<string, { columns?: readonly string[]; rows?: string }>
> = {
  sessions: { columns: ['last_seen_at'] },
  personal_access_tokens: { columns: ['last_used_at', 'last_used_ip'] },
  // Which scopes admitted calls relied on (least-privilege hints); refusals write none.
  token_scope_usage: { rows: 'true' },
  audit_events: { rows: `action = 'access.denied'` },
};

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Headers = Record<string, string>;

/** Registers the module's access-matrix tests in a describe block of their own. */
export function describeRouteMatrix(matrix: RouteMatrix): void {
  const { app: t, module } = matrix;
  const outside = matrix.outsideMatrix ?? {};

  describe(`${module}: every catalog endpoint with a session, a PAT with its scopes, and without`, () => {
    let endpoints: CatalogEndpoint[] = [];
    let inMatrix: CatalogEndpoint[] = [];

    beforeAll(async () => {
      endpoints = (await adminCatalog(t)).filter((e) => e.module === module);
      inMatrix = endpoints.filter((e) => MATRIX_KINDS.includes(e.authKind));
    });

    /** Fails loudly, naming the endpoint, when the module's test gives it no inputs. */
    const prepare = (e: CatalogEndpoint): Promise<RouteCall> => {
      const make = matrix.cases[e.id];
      if (!make)
        throw new Error(
          `route matrix: no case for ${module} endpoint "${e.id}" (${e.method} ${e.path}); add one to the module's access test`,
        );
      return make();
    };

    const send = (e: CatalogEndpoint, call: RouteCall, headers: Headers) => {
      const req = t.http()[e.method.toLowerCase() as Method](call.path).set(headers);
      return call.body ? req.send(call.body) : req;
    };

    const callerOf = (call: RouteCall) => call.caller ?? matrix.caller();
    const session = (user: SignedInUser, csrf: boolean): Headers =>
      csrf ? { Cookie: user.cookie, 'X-CSRF-Token': user.csrfToken } : { Cookie: user.cookie };
    const tokenOf = async (user: SignedInUser, scopes: Scope[]) =>
      bearer((await createToken(t, user, scopes)).token);

    const expectSuccess = async (
      e: CatalogEndpoint,
      via: Via,
      headers: (call: RouteCall) => Promise<Headers>,
    ) => {
      const call = await prepare(e);
      const res = await send(e, call, await headers(call));
      const status = typeof call.status === 'object' ? call.status[via] : call.status;
      expect(res.status, `${e.id} (${via}): ${res.text}`).toBe(status ?? e.response?.status);
      await call.check?.(res.body as Record<string, unknown>, res, via);
    };

    /** Calls the endpoint and holds the refusal to its problem code and an unchanged database. */
    const expectRefused = async (
      e: CatalogEndpoint,
      headers: (call: RouteCall) => Promise<Headers>,
      status: number,
      problem: Record<string, unknown>,
    ) => {
      const call = await prepare(e);
      const sent = await headers(call);
      const before = await databaseState(t);
      const res = await send(e, call, sent);
      expect(res.status, `${e.id}: ${res.text}`).toBe(status);
      expect(res.headers['content-type'], e.id).toMatch(/^application\/problem\+json/);
      expect(res.body, e.id).toMatchObject(problem);
      expect(await databaseState(t), `${e.id} changed the database`).toEqual(before);
    };

    it('gives every endpoint of the module in the catalog a case, and no case to anything else', () => {
      expect(
        endpoints.length,
        `the catalog lists no endpoints of module "${module}"`,
      ).toBeGreaterThan(0);
      const ids = new Set(endpoints.map((e) => e.id));
      expect({
        'user and browser-only endpoints without a case': inMatrix
          .filter((e) => !matrix.cases[e.id])
          .map((e) => e.id),
        'endpoints of other access kinds, missing from outsideMatrix': endpoints
          .filter((e) => !MATRIX_KINDS.includes(e.authKind) && !outside[e.id])
          .map((e) => `${e.id} (${e.authKind})`),
        'user and browser-only endpoints listed in outsideMatrix': inMatrix
          .filter((e) => outside[e.id])
          .map((e) => e.id),
        [`cases for ids the catalog does not list under "${module}"`]: [
          ...Object.keys(matrix.cases),
          ...Object.keys(outside),
        ].filter((id) => !ids.has(id)),
      }).toEqual({
        'user and browser-only endpoints without a case': [],
        'endpoints of other access kinds, missing from outsideMatrix': [],
        'user and browser-only endpoints listed in outsideMatrix': [],
        [`cases for ids the catalog does not list under "${module}"`]: [],
      });
    });

    it('lets a browser session call each endpoint (with CSRF where the catalog asks for it)', async () => {
      for (const e of inMatrix) {
        expect(e.browserSession.supported, `${e.id}: the catalog refuses sessions`).toBe(true);
        await expectSuccess(e, 'session', async (call) =>
          session(callerOf(call), e.browserSession.csrf),
        );
      }
    });

    it('refuses that session without the CSRF header, changing nothing', async () => {
      for (const e of inMatrix.filter((x) => x.browserSession.csrf)) {
        await expectRefused(e, async (call) => session(callerOf(call), false), 403, {
          code: 'csrf_failed',
        });
      }
    });

    it('refuses a caller without credentials with unauthenticated, changing nothing', async () => {
      for (const e of inMatrix) {
        await expectRefused(e, async () => ({}), 401, { code: 'unauthenticated' });
      }
    });

    it('lets a PAT holding exactly the catalog’s scopes call each user endpoint', async () => {
      for (const e of inMatrix.filter((x) => x.authKind === 'user')) {
        expect(e.pat.supported, `${e.id}: the catalog refuses tokens`).toBe(true);
        const required = e.pat.scopes as Scope[];
        // No scopes listed means any token; a token holds at least one scope.
        await expectSuccess(e, 'pat', (call) =>
          tokenOf(callerOf(call), required.length ? required : [ALL_SCOPES[0]]),
        );
      }
    });

    it('refuses a PAT without those scopes (insufficient_scope), and any PAT on browser-only endpoints (session_required), changing nothing', async () => {
      for (const e of inMatrix) {
        if (e.authKind === 'browser-only') {
          expect(e.pat.supported, e.id).toBe(false);
          await expectRefused(e, (call) => tokenOf(callerOf(call), ALL_SCOPES), 403, {
            code: 'session_required',
          });
          continue;
        }
        const required = e.pat.scopes as Scope[];
        if (!required.length) continue; // any token may call it: there is no scope to lack
        const others = tokenScopesLacking(required);
        expect(
          others.length,
          `${e.id}: every scope grants one of ${required.join(', ')}`,
        ).toBeGreaterThan(0);
        await expectRefused(e, (call) => tokenOf(callerOf(call), others), 403, {
          code: 'insufficient_scope',
          requiredScopes: required,
        });
      }
    });
  });
}

/**
 * The catalog's endpoints as an admin reads them, internal and admin-only routes included, so a
 * module's hidden routes have to be accounted for as well. The reader is made an admin directly,
 * as `npm run admin:grant` would.
 */
export async function adminCatalog(t: TestApp): Promise<CatalogEndpoint[]> {
  const reader = await signUp(t);
  await t.sql('UPDATE users SET is_admin = true WHERE id = $1', [reader.id]);
  const res = await t
    .http()
    .get('/api/programmatic/catalog')
    .set('Cookie', reader.cookie)
    .expect(200);
  const all = (res.body as { endpoints: CatalogEndpoint[] }).endpoints;
  if (!all.some((e) => e.authKind === 'admin-only'))
    throw new Error('route matrix: the catalog did not show its admin view');
  return all;
}

/** Every registered scope that grants none of `required`, implications included. */
export function tokenScopesLacking(required: readonly Scope[]): Scope[] {
  return ALL_SCOPES.filter((s) => !required.some((r) => effectiveScopes([s]).has(r)));
}

/**
 * The database as one comparable value, once due domain events are dispatched: an md5 of the
 * rows of every table in the schema, by table name, leaving out the access layer's bookkeeping. Tables a new module adds are covered
 * without being named.
 */
export async function databaseState(t: TestApp): Promise<Record<string, string>> {
  // Events recorded so far are handed to their consumers first, so the background relay retiring
  // a dispatch between two snapshots is not mistaken for the call in between changing something.
  await t.running.app.get(EventRelay).drain();
  const tables = await t.sql<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`,
  );
  const digests = tables.map(({ name }) => {
    const { columns = [], rows } = ACCESS_BOOKKEEPING[name] ?? {};
    const row = ['to_jsonb(x)', ...columns.map((c) => `'${c}'`)].join(' - ');
    return `(SELECT md5(coalesce(string_agg(r, '|' ORDER BY r), '')) FROM (SELECT (${row})::text AS r FROM "${name}" x${rows ? ` WHERE NOT (${rows})` : ''}) s) AS "${name}"`;
  });
  const [state] = await t.sql<Record<string, string>>(`SELECT ${digests.join(', ')}`);
  return state;
}
