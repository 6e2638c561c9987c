// `npm run test:workflows` (after `npm run build`): every runnable catalog workflow, executed by a
// runner that knows nothing about GetPaidX (Redocly respect), against the built server on a fresh
// embedded database. Run through the test TypeScript loader, so it reuses the loopback fakes the
// e2e tests use: Stripe (billing workflows) and a webhook receiver (register_webhook_endpoint).
//
// For each workflow it creates a PAT holding exactly the workflow's `scopes` (from the catalog)
// and runs `redocly respect <downloaded document> --workflow <id>` with the sample inputs below.
// The sample inputs live here, not in the workflow definitions: most name rows (a post, a member,
// a failed transfer) this script creates first. Exits non-zero if lint or any workflow fails.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountUpdated, checkoutCompleted, STRIPE_TEST_ENV } from '../test/support/billing.ts';
import { FakeStripe, stripeSignature } from '../test/support/fake-stripe.ts';
import { WebhookReceiver } from '../test/support/webhook-receiver.ts';

const REDOCLY = join(process.cwd(), 'node_modules', '.bin', 'redocly');
const REDOCLY_ENV = { REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
const PASSWORD = 'correct horse battery staple';
/** A PAT needs at least one scope; workflows needing none get this harmless read scope. */
const FILLER_SCOPE = 'notifications:read';

const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

const dataDir = mkdtempSync(join(tmpdir(), 'gpx-arazzo-'));
const stripe = await FakeStripe.start();
const receiver = await new WebhookReceiver().start();
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = { ...process.env, ...REDOCLY_ENV };
delete env.DATABASE_URL; // the embedded default
delete env.REDIS_URL;
const server = spawn(process.execPath, ['dist/src/main.js'], {
  env: {
    ...env,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: base,
    LOG_LEVEL: 'warn',
    // register_webhook_endpoint delivers to the loopback receiver.
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    ...STRIPE_TEST_ENV,
    STRIPE_API_BASE: stripe.url,
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
let failed = false;

/** Runs redocly without blocking this process: the fakes here must keep answering the server. */
const redocly = (args) =>
  new Promise((resolve) => {
    const child = spawn(REDOCLY, args, { env, stdio: 'inherit' });
    child.on('exit', (code) => resolve({ status: code }));
  });
const cleanup = async () => {
  server.kill('SIGTERM');
  await stripe.close();
  await receiver.close();
  rmSync(dataDir, { recursive: true, force: true });
};

async function call(method, path, { body, headers = {}, expect } = {}) {
  const send = () =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  // A kept-alive socket the server closed while respect ran fails before sending: send again.
  const res = await send().catch((error) =>
    error?.cause?.code === 'UND_ERR_SOCKET' ? send() : Promise.reject(error),
  );
  const text = await res.text();
  if (expect && res.status !== expect)
    throw new Error(`${method} ${path}: expected ${expect}, got ${res.status} ${text}`);
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

let users = 0;
async function signUp(name) {
  users += 1;
  const email = `${name}-${users}@example.com`;
  const res = await call('POST', '/api/auth/signup', {
    body: { email, password: PASSWORD, displayName: name },
    expect: 201,
  });
  const cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('gpx_session='))
    .split(';')[0];
  const session = { Cookie: cookie, 'X-CSRF-Token': res.body.csrfToken };
  return { id: res.body.user.id, email, name, session };
}

const asUser = (user, method, path, body, expect) =>
  call(method, path, { body, headers: user.session, expect });

async function createToken(user, scopes) {
  const res = await asUser(user, 'POST', '/api/tokens', { name: 'arazzo run', scopes }, 201);
  return res.body.token;
}

async function publishedPost(user, title = 'Arazzo sample post') {
  const res = await asUser(
    user,
    'POST',
    '/api/posts',
    { title, body: 'Hello from the workflow run.', status: 'PUBLISHED' },
    201,
  );
  return res.body.id;
}

async function sendStripeEvent(event) {
  const payload = JSON.stringify(event);
  await call('POST', '/api/billing/stripe/events', {
    body: payload,
    headers: {
      'Stripe-Signature': stripeSignature(payload, STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET),
    },
    expect: 200,
  });
}

/** Onboards `user` on the fake Stripe and lets account.updated enable their payouts. */
async function enablePayouts(user) {
  const before = new Set(stripe.accounts.keys());
  await asUser(user, 'POST', '/api/payouts/onboarding-links', { country: 'DE' }, 201);
  const account = [...stripe.accounts.keys()].find((id) => !before.has(id));
  await sendStripeEvent(accountUpdated(account, true, Math.floor(Date.now() / 1000) + 30));
}

async function pricedPost(seller, amount = 2000) {
  const postId = await publishedPost(seller, 'Premium guide');
  await asUser(
    seller,
    'PUT',
    `/api/posts/${postId}/pricing`,
    { model: 'one_time', amount, currency: 'eur' },
    200,
  );
  return postId;
}

try {
  for (let i = 0; ; i++) {
    if (server.exitCode !== null) throw new Error('the server exited during start-up');
    const ready = await fetch(`${base}/api/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (i > 240) throw new Error('the server did not become ready');
    await new Promise((r) => setTimeout(r, 250));
  }

  const documentPath = join(dataDir, 'workflows.arazzo.json');
  const document = (await call('GET', '/api/programmatic/workflows.arazzo.json', { expect: 200 }))
    .body;
  writeFileSync(documentPath, JSON.stringify(document, null, 2));
  const catalog = (await call('GET', '/api/programmatic/catalog', { expect: 200 })).body;

  console.log('== redocly lint on the served Arazzo document');
  const lint = await redocly(['lint', documentPath]);
  if (lint.status !== 0) failed = true;

  // The runner: one user owns everything the workflows act on; others are the counterparties.
  const runner = await signUp('Runner');
  const ownPost = await publishedPost(runner);
  const member = await signUp('Mira');
  await asUser(member, 'POST', `/api/creators/${runner.id}/membership`, undefined, 200);
  const seller = await signUp('Seller');
  await enablePayouts(seller);
  const sellersPost = await pricedPost(seller);
  // A failed co-seller transfer on a sale of the runner's post, for retry_failed_transfer.
  await enablePayouts(runner);
  const runnersPricedPost = await pricedPost(runner);
  const referrer = await signUp('Referrer');
  await asUser(
    referrer,
    'POST',
    '/api/sharing/referral-paths',
    { target: { postId: runnersPricedPost }, code: 'arazzo-friend', coSellerShareBps: 1500 },
    201,
  );
  await enablePayouts(referrer);
  const buyer = await signUp('Buyer');
  const link = await asUser(
    buyer,
    'POST',
    '/api/billing/checkout-links',
    { postId: runnersPricedPost, referralCode: 'arazzo-friend' },
    201,
  );
  stripe.failTransfers = true;
  await sendStripeEvent(checkoutCompleted(stripe, link.body.checkoutSessionId));
  stripe.failTransfers = false;

  const pdf = '%PDF-1.4\n% a one-line sample artifact\n';
  const samples = {
    create_personal_access_token: {
      email: runner.email,
      password: PASSWORD,
      tokenName: 'minted by a workflow',
      scopes: ['posts:write', 'places:read'],
      narrowTo: ['posts:write'],
    },
    inspect_my_token: { endpointId: 'posts.create' },
    update_notification_settings: { productUpdates: false },
    tag_members: { q: 'Mira', tags: ['vip'] },
    publish_post: { title: 'Winter market this Saturday', body: 'Come by **stall 12**.' },
    read_feed: { limit: 5 },
    replace_post_artifact: {
      postId: ownPost,
      filename: 'flyer.pdf',
      contentType: 'application/pdf',
      size: Buffer.byteLength(pdf),
      content: pdf,
    },
    find_place: { q: 'Berlin' },
    create_checkout_link: { postId: sellersPost, idempotencyKey: 'arazzo-buy-1' },
    start_payout_onboarding: { country: 'DE' },
    retry_failed_transfer: {},
    create_referral_link: {},
    run_workspace_automation: {
      postId: ownPost,
      prompt: 'Summarise this week.',
      idempotencyKey: 'arazzo-run-1',
    },
    start_workspace_session: { postId: ownPost, mode: 'VIEW' },
    bind_workspace_secret: { postId: ownPost, name: 'ARAZZO_SECRET', value: 's3cret-value' },
    register_webhook_endpoint: { url: receiver.url, events: ['post.published'] },
    connect_an_agent_over_mcp: { endpointId: 'posts.create' },
    // A real token of the runner's, made for this: the report revokes it.
    report_leaked_tokens: {
      tokens: [await createToken(runner, [FILLER_SCOPE])],
      source: 'https://example.com/arazzo-run/commit/1',
    },
    // The PAT of a workflow needing no scope holds FILLER_SCOPE: the child takes that subset.
    delegate_to_agent: { childName: 'sub-agent', childScopes: [FILLER_SCOPE], ttlSeconds: 900 },
  };

  const results = [];
  for (const workflow of catalog.workflows) {
    if (workflow.runnable === false) {
      results.push([workflow.id, `not runnable here: ${workflow.notRunnableBecause}`]);
      continue;
    }
    const inputs = { ...samples[workflow.id] };
    if (!samples[workflow.id]) {
      results.push([workflow.id, 'FAILED: no sample inputs in scripts/respect-workflows.mjs']);
      failed = true;
      continue;
    }
    if (workflow.inputs.properties.token)
      inputs.token = await createToken(
        runner,
        workflow.scopes.length ? workflow.scopes : [FILLER_SCOPE],
      );
    console.log(
      `== respect ${workflow.id} (PAT scopes: ${workflow.scopes.join(' ') || '(none needed)'})`,
    );
    const run = await redocly([
      'respect',
      documentPath,
      '--workflow',
      workflow.id,
      '--input',
      JSON.stringify(inputs),
    ]);
    results.push([workflow.id, run.status === 0 ? 'passed' : 'FAILED']);
    if (run.status !== 0) failed = true;
  }
  console.log('\n== Arazzo workflows');
  for (const [id, result] of results) console.log(`${id.padEnd(32)} ${result}`);
  console.log(`lint: ${lint.status === 0 ? 'passed' : 'FAILED'}`);
} catch (error) {
  console.error(error);
  failed = true;
} finally {
  await cleanup();
}
process.exit(failed ? 1 : 0);
