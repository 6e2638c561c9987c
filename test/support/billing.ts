import { bearer, createToken, type SignedInUser } from './actors.js';
import { FakeStripe, stripeEvent, stripeSignature } from './fake-stripe.js';
import type { TestApp } from './test-app.js';

export const STRIPE_TEST_ENV = {
  STRIPE_SECRET_KEY: 'sk_test_51FakeKeyForTheBillingSuite',
  STRIPE_WEBHOOK_SECRET: 'whsec_testSigningSecretForBilling',
};

/** Starts a fake Stripe for the file and returns it with the env that points the app at it. */
export function useFakeStripe(): { fake: () => FakeStripe; env: () => Record<string, string> } {
  let fake: FakeStripe | undefined;
  beforeAll(async () => {
    fake = await FakeStripe.start();
  });
  afterAll(async () => {
    await fake?.close();
  });
  const get = () => {
    if (!fake) throw new Error('fake Stripe not started yet');
    return fake;
  };
  return { fake: get, env: () => ({ ...STRIPE_TEST_ENV, STRIPE_API_BASE: get().url }) };
}

/** Sends a signed Stripe event to the ingress route. */
export function sendStripeEvent(
  t: TestApp,
  event: { id: string },
  secret = STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET,
) {
  const payload = JSON.stringify(event, null, 2);
  return t
    .http()
    .post('/api/billing/stripe/events')
    .set('Content-Type', 'application/json')
    .set('Stripe-Signature', stripeSignature(payload, secret))
    .send(payload);
}

/** A published post of `seller` with a price, through the real API. */
export async function pricedPost(
  t: TestApp,
  seller: SignedInUser,
  pricing: { model: 'one_time' | 'subscription'; amount: number; currency: string } = {
    model: 'one_time',
    amount: 1500,
    currency: 'eur',
  },
  body = 'the paid part',
): Promise<string> {
  const token = (await createToken(t, seller, ['posts:write'])).token;
  const post = await t
    .http()
    .post('/api/posts')
    .set(bearer(token))
    .send({ title: 'Premium guide', body, status: 'PUBLISHED' })
    .expect(201);
  const id = (post.body as { id: string }).id;
  await t.http().put(`/api/posts/${id}/pricing`).set(bearer(token)).send(pricing).expect(200);
  return id;
}

/** Onboards `user` as a seller and lets account.updated enable their payouts. */
export async function enablePayouts(t: TestApp, user: SignedInUser): Promise<string> {
  const token = (await createToken(t, user, ['payouts:manage'])).token;
  await t
    .http()
    .post('/api/payouts/onboarding-links')
    .set(bearer(token))
    .send({ country: 'DE' })
    .expect(201);
  const [row] = await t.sql<{ stripe_account_id: string }>(
    'SELECT stripe_account_id FROM payout_accounts WHERE user_id = $1',
    [user.id],
  );
  // Stripe reports after the account was created (whose state is held as of then).
  await sendStripeEvent(
    t,
    accountUpdated(row.stripe_account_id, true, Math.floor(Date.now() / 1000) + 30),
  ).expect(200);
  return row.stripe_account_id;
}

export function accountUpdated(
  accountId: string,
  enabled: boolean,
  created?: number,
  extra: Record<string, unknown> = {},
) {
  return stripeEvent(
    'account.updated',
    {
      id: accountId,
      object: 'account',
      charges_enabled: enabled,
      payouts_enabled: enabled,
      details_submitted: true,
      requirements: {
        currently_due: enabled ? [] : ['external_account'],
        pending_verification: [],
        disabled_reason: enabled ? null : 'requirements.past_due',
      },
      ...extra,
    },
    created,
  );
}

/** checkout.session.completed for the session a checkout link created, metadata as Billing sent it. */
export function checkoutCompleted(
  fake: FakeStripe,
  sessionId: string,
  extra: Record<string, unknown> = {},
  created?: number,
) {
  const request = fake
    .made('POST', '/v1/checkout/sessions')
    .find((r) => fake.sessionIdOf(r) === sessionId);
  if (!request) throw new Error(`no checkout session ${sessionId} was created`);
  const metadata = Object.fromEntries(
    Object.entries(request.form)
      .filter(([k]) => k.startsWith('metadata['))
      .map(([k, v]) => [k.slice('metadata['.length, -1), v]),
  );
  const mode = request.form.mode;
  return stripeEvent(
    'checkout.session.completed',
    {
      id: sessionId,
      object: 'checkout.session',
      mode,
      status: 'complete',
      payment_status: 'paid',
      amount_total: Number(request.form['line_items[0][price_data][unit_amount]']),
      currency: request.form['line_items[0][price_data][currency]'],
      customer: request.form.customer,
      client_reference_id: request.form.client_reference_id,
      subscription: null,
      metadata,
      ...extra,
    },
    created,
  );
}
