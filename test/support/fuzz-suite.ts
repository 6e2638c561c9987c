import fc from 'fast-check';
import { ALL_SCOPES } from '../../src/access/scopes.js';
import type { CatalogEndpoint } from '../../src/catalog/catalog.types.js';
import { ERROR_CODES } from '../../src/common/problems/error-codes.js';
import { bearer, createToken, type SignedInUser, signUp } from './actors.js';
import { encodeComponent, type HostileRequest, hostileRequests } from './hostile-input.js';
import { adminCatalog, databaseState } from './route-matrix.js';
import { useTestApp } from './test-app.js';

/**
 * Fuzzing from the catalog: every catalogued endpoint (admin and internal ones included, and any
 * a module adds later) gets hostile path parameters, query strings and bodies, sent with a
 * credential that passes its guard. Whatever comes in:
 * - never a 5xx, except a 503 the endpoint declares for a provider that is not configured;
 * - every error is problem+json whose code is in the error table and declared for the endpoint
 *   (test-app's close() also holds every answer to the endpoint's declared errors);
 * - a 4xx leaves every table as it was (the access layer's bookkeeping aside).
 *
 * FUZZ_RUNS cases per endpoint (default 50); FUZZ_SEED replays a run.
 *
 * The endpoints are dealt round-robin to the spec files in test/fuzz/ (one per shard), each with
 * its own app and database, so the two test workers share the suite's ~5,000 cases: each case
 * snapshots every table before and after, and one file alone took three minutes.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 50);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const INTERNAL_TOKEN = 'fuzz-internal-credential-0123456789abcdefgh';
/** A 503 that means "this provider is not configured here": declared, expected, not a fault. */
const SERVER_ERRORS_NEVER_EXPECTED = new Set(['internal_error', 'unavailable']);
/**
 * Refusals that write on purpose: a failed sign-in is audited (that is how guessing is seen).
 * Any other table changing on a 4xx is a fault.
 */
const AUDITED_REFUSALS: Record<string, string[]> = {
  'auth.login': ['audit_events'],
};

interface Caller {
  user: SignedInUser;
  pat: string;
}

/**
 * Declares the fuzz suite for one shard of the catalog's endpoints (those whose position in the
 * catalog is `shard` modulo `shards`), on an app of its own. A function, not module state: spec
 * files share their worker's module cache, and each needs its own app, caller and tally.
 */
export function describeFuzz(shard: number, shards: number): void {
  const t = useTestApp({
    env: {
      RATE_LIMIT_PER_MINUTE: '1000000',
      ANONYMOUS_RATE_LIMIT_PER_MINUTE: '1000000',
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      // Background loops (webhook deliveries, automation runs and schedules, session expiry,
      // transfers) change tables on their own; the before/after comparison must see only what
      // each hostile request did.
      BACKGROUND_WORK: 'false',
    },
  });

  let endpoints: CatalogEndpoint[] = [];
  /** Real ids and codes from the database, so some cases reach past the "not found" check. */
  let known: string[] = [];
  let caller: Caller;
  const tally: Record<string, { cases: number; statuses: Record<string, number> }> = {};

  async function newCaller(): Promise<Caller> {
    // A fuzzed PUT /api/admin/token-policy may have left a policy (e.g. a 90-day maximum) that the
    // fixture's token, made without an expiry, breaks: the fixture restores the configured one.
    await t.sql('DELETE FROM token_policy');
    const user = await signUp(t);
    await t.sql('UPDATE users SET is_admin = true WHERE id = $1', [user.id]);
    return { user, pat: (await createToken(t, user, [...ALL_SCOPES])).token };
  }

  /** The credential that passes the endpoint's guard (none for public and webhook-ingress). */
  function credentials(e: CatalogEndpoint): Record<string, string> {
    switch (e.authKind) {
      case 'user':
      case 'token-only':
        return bearer(caller.pat);
      case 'browser-only':
      case 'admin-only':
        return e.browserSession.csrf
          ? { Cookie: caller.user.cookie, 'X-CSRF-Token': caller.user.csrfToken }
          : { Cookie: caller.user.cookie };
      case 'internal':
        return { 'X-Internal-Token': INTERNAL_TOKEN };
      case 'public':
      case 'webhook-ingress':
        return {};
    }
  }

  /** Creates one of everything a caller can create from the catalog's examples, then reads ids back. */
  async function seed(): Promise<void> {
    for (const e of endpoints) {
      if (e.method !== 'POST' || e.authKind !== 'user' || e.path.includes('{')) continue;
      if (!e.request.body?.example) continue;
      await t.http().post(e.path).set(credentials(e)).send(e.request.body.example);
    }
    const columns = await t.sql<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND data_type IN ('uuid', 'text', 'character varying')
          AND (column_name = 'id' OR column_name LIKE '%\\_id' OR column_name IN ('code', 'reference_id'))`,
    );
    const values = new Set<string>();
    for (const { table_name, column_name } of columns) {
      const rows = await t.sql<{ v: string }>(
        `SELECT DISTINCT "${column_name}"::text AS v FROM "${table_name}" WHERE "${column_name}" IS NOT NULL LIMIT 5`,
      );
      for (const { v } of rows) values.add(v);
    }
    known = [...values];
  }

  async function send(e: CatalogEndpoint, input: HostileRequest) {
    const method = e.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head';
    let req = t.http()[method](input.url).set(credentials(e)).timeout(15_000);
    if (input.body) req = req.set('Content-Type', input.body.contentType).send(input.body.data);
    // Problem bodies are read as text: a malformed one must fail the assertion, not the client.
    return req.buffer(true).parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done(null, text));
    });
  }

  async function fuzz(e: CatalogEndpoint): Promise<void> {
    const declared = new Map<string, number>(e.errors.map((x) => [x.code, x.status]));
    const counts: (typeof tally)[string] = { cases: 0, statuses: {} };
    tally[e.id] = counts;
    await fc.assert(
      fc.asyncProperty(hostileRequests(e, known), async (input) => {
        const before = await databaseState(t);
        const res = await send(e, input);
        counts.cases += 1;
        counts.statuses[res.status] = (counts.statuses[res.status] ?? 0) + 1;
        const what = `${e.id} ${e.method} ${input.url.slice(0, 300)} body=${String(input.body?.data ?? '').slice(0, 300)} → ${res.status} ${String(res.body).slice(0, 500)}`;

        // The MCP endpoint speaks JSON-RPC: past the guard, the protocol's own transport errors
        // (Accept, parse, envelope) are JSON-RPC error objects, which MCP clients read; they are
        // still held to no 5xx and no change below.
        const jsonRpcError =
          e.id === 'mcp.post' &&
          res.status >= 400 &&
          res.status < 500 &&
          /"jsonrpc":"2\.0"/.test(String(res.body)) &&
          /"error":\{"code":-32\d{3}/.test(String(res.body));
        if (res.status >= 400 && e.method !== 'HEAD' && !jsonRpcError) {
          expect(res.headers['content-type'], what).toMatch(/^application\/problem\+json/);
          const problem = JSON.parse(res.body as string) as { code: string; status: number };
          expect(Object.keys(ERROR_CODES), what).toContain(problem.code);
          expect(problem.status, what).toBe(res.status);
          // Declared for the endpoint; or the router's own 404 for a path the fuzz made unroutable;
          // or the body parser's refusal of a body (malformed, too deep, too large), which happens
          // before routing for every route alike (declared-errors.ts leaves those out too).
          const routed = declared.get(problem.code) === res.status;
          const unroutable = res.status === 404 && problem.code === 'not_found';
          const bodyRefused =
            input.body !== undefined &&
            ((res.status === 400 && problem.code === 'validation_failed') ||
              (res.status === 413 && problem.code === 'payload_too_large'));
          expect(routed || unroutable || bodyRefused, what).toBe(true);
          if (res.status >= 500)
            expect(SERVER_ERRORS_NEVER_EXPECTED.has(problem.code), what).toBe(false);
        }
        // The only 5xx allowed is a declared 503 of its own code (checked above); a HEAD has no code.
        expect(res.status < 500 || (res.status === 503 && e.method !== 'HEAD'), what).toBe(true);

        if (res.status >= 400 && res.status < 500) {
          const after = await databaseState(t);
          for (const table of AUDITED_REFUSALS[e.id] ?? []) {
            delete after[table];
            delete before[table];
          }
          expect(after, `${what}\n changed the database`).toEqual(before);
        }
        // A case that ended the caller's session or revoked its token (e.g. a real id given to
        // DELETE /api/tokens/{tokenId}) must not turn every later case into a 401.
        if (res.status === 401 && e.authKind !== 'public') caller = await newCaller();
        else if (e.id === 'auth.logout' && res.status < 300) caller = await newCaller();
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  }

  describe(`fuzzing the catalogued endpoints with hostile input (shard ${shard + 1} of ${shards})`, () => {
    beforeAll(async () => {
      endpoints = await adminCatalog(t);
      caller = await newCaller();
      await seed();
      caller = await newCaller();
    });

    afterAll(() => {
      const rows = Object.entries(tally).map(
        ([id, { cases, statuses }]) =>
          `${id.padEnd(44)} ${String(cases).padStart(5)}  ${Object.entries(statuses)
            .map(([s, n]) => `${s}×${n}`)
            .join(' ')}`,
      );
      const total = Object.values(tally).reduce((n, x) => n + x.cases, 0);
      console.log(
        `fuzz (shard ${shard + 1} of ${shards}): ${total} cases over ${rows.length} endpoints\n${rows.join('\n')}`,
      );
    });

    it('knows the catalog and a few real ids', () => {
      expect(endpoints.length).toBeGreaterThan(40);
      expect(endpoints.some((e) => e.authKind === 'admin-only')).toBe(true);
      expect(known.length).toBeGreaterThan(3);
      expect(encodeComponent('a b\u0000')).toBe('a%20b%00');
    });

    it(`answers ${RUNS} hostile requests per endpoint without a 5xx, with catalogued problems, and changes nothing on a 4xx`, async () => {
      // Every endpoint runs even when one fails, so one run names every endpoint at fault.
      const failures: string[] = [];
      for (const e of endpoints.filter((_, i) => i % shards === shard)) {
        try {
          await fuzz(e);
        } catch (error) {
          const cause = error instanceof Error ? (error.cause as Error | undefined) : undefined;
          const cut = (text = '') => (text.length > 3000 ? `${text.slice(0, 3000)}…` : text);
          failures.push(
            `${e.id}: ${cut(error instanceof Error ? error.message : String(error))}\n${cut(cause?.message)}`,
          );
        }
      }
      expect(failures.join('\n\n')).toBe('');
    }, 1_800_000);
  });
}
