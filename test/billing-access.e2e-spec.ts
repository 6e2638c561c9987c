import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import {
  checkoutCompleted,
  enablePayouts,
  pricedPost,
  sendStripeEvent,
  useFakeStripe,
} from './support/billing.js';
import { stripeEvent } from './support/fake-stripe.js';
import { describeRouteMatrix, type RouteCall } from './support/route-matrix.js';
import { useTestApp } from './support/test-app.js';

/**
 * Billing's access matrix (see test/support/route-matrix.ts): every billing route the catalog
 * lists for a user, called by its owner with a session and with a PAT holding exactly its scopes,
 * and refused without them, changing nothing. Stripe is the loopback fake; the Stripe event
 * ingress (webhook-ingress) is covered in billing.e2e-spec.ts.
 */
const stripe = useFakeStripe();
const t = useTestApp(() => ({ env: { ...stripe.env(), BACKGROUND_WORK: 'false' } }));
let owner: SignedInUser;
let seller: SignedInUser;
let buyer: SignedInUser;
let referrer: SignedInUser;
let ownerCheckout: string;
let buyerCheckout: string;
let referrerSharing: string;
let n = 0;

beforeAll(async () => {
  owner = await signUp(t);
  seller = await signUp(t);
  buyer = await signUp(t);
  referrer = await signUp(t);
  await enablePayouts(t, seller);
  await enablePayouts(t, owner);
  await enablePayouts(t, referrer);
  ownerCheckout = (await createToken(t, owner, ['billing:checkout'])).token;
  buyerCheckout = (await createToken(t, buyer, ['billing:checkout'])).token;
  referrerSharing = (await createToken(t, referrer, ['sharing:manage'])).token;
});

const row = async (sql: string, params: unknown[]) => (await t.sql(sql, params))[0];

/** A subscription of the owner's to a monthly post of the seller's, active per Stripe's events. */
async function ownerSubscription(): Promise<string> {
  const postId = await pricedPost(t, seller, {
    model: 'subscription',
    amount: 300,
    currency: 'eur',
  });
  const link = await t
    .http()
    .post('/api/billing/checkout-links')
    .set(bearer(ownerCheckout))
    .send({ postId })
    .expect(201);
  const subscriptionId = `sub_matrix_${++n}`;
  await sendStripeEvent(
    t,
    checkoutCompleted(stripe.fake(), link.body.checkoutSessionId as string, {
      subscription: subscriptionId,
    }),
  ).expect(200);
  const metadata = { kind: 'post', postId, buyerId: owner.id, sellerId: seller.id };
  await sendStripeEvent(
    t,
    stripeEvent(
      'customer.subscription.updated',
      stripe.fake().subscription(subscriptionId, false, { metadata }),
    ),
  ).expect(200);
  return (
    (await row('SELECT id FROM billing_subscriptions WHERE stripe_subscription_id = $1', [
      subscriptionId,
    ])) as { id: string }
  ).id;
}

/** A co-seller share the owner (as seller) owes and whose Stripe transfer failed. */
async function failedTransfer(): Promise<string> {
  const postId = await pricedPost(t, owner, { model: 'one_time', amount: 1000, currency: 'eur' });
  const code = `matrix-ref-${++n}`;
  await t
    .http()
    .post('/api/sharing/referral-paths')
    .set(bearer(referrerSharing))
    .send({ target: { postId }, code, coSellerShareBps: 2000 })
    .expect(201);
  const link = await t
    .http()
    .post('/api/billing/checkout-links')
    .set(bearer(buyerCheckout))
    .send({ postId, referralCode: code })
    .expect(201);
  stripe.fake().failTransfers = true;
  try {
    await sendStripeEvent(
      t,
      checkoutCompleted(stripe.fake(), link.body.checkoutSessionId as string),
    ).expect(200);
  } finally {
    stripe.fake().failTransfers = false;
  }
  const transfer = (await row(
    "SELECT id, status FROM transfers WHERE seller_id = $1 AND status = 'failed' ORDER BY created_at DESC LIMIT 1",
    [owner.id],
  )) as { id: string };
  return transfer.id;
}

const cases: Record<string, () => Promise<RouteCall>> = {
  'billing.checkout_links.create': async () => {
    const postId = await pricedPost(t, seller);
    return {
      path: '/api/billing/checkout-links',
      body: { postId },
      check: async (body) => {
        expect(body).toMatchObject({
          url: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\//),
          checkoutSessionId: expect.any(String),
        });
        expect(
          await row('SELECT buyer_id, kind FROM checkout_links WHERE post_id = $1', [postId]),
        ).toEqual({ buyer_id: owner.id, kind: 'post' });
      },
    };
  },
  'billing.get': async () => ({
    path: '/api/billing',
    check: (body) => {
      expect(body).toMatchObject({
        plan: 'free',
        aiCredits: { balance: 50, monthlyAllowance: 50 },
        payouts: { status: 'enabled', ready: true },
      });
    },
  }),
  'billing.subscriptions.list': async () => {
    const id = await ownerSubscription();
    return {
      path: '/api/billing/subscriptions?limit=1',
      check: (body) => {
        expect(body.items).toEqual([
          expect.objectContaining({ id, status: 'active', cancelAtPeriodEnd: false }),
        ]);
      },
    };
  },
  'billing.subscriptions.cancel': async () => {
    const id = await ownerSubscription();
    return {
      path: `/api/billing/subscriptions/${id}/cancel`,
      check: async (body) => {
        expect(body).toMatchObject({ id, cancelAtPeriodEnd: true });
        expect(
          await row('SELECT cancel_at_period_end FROM billing_subscriptions WHERE id = $1', [id]),
        ).toEqual({ cancel_at_period_end: true });
      },
    };
  },
  'billing.plan.checkout_links.create': async () => ({
    path: '/api/billing/plan/checkout-links',
    body: {},
    check: async (body) => {
      expect(body.url).toMatch(/^https:\/\/checkout\.stripe\.com\//);
      expect(
        await row('SELECT kind, buyer_id FROM checkout_links WHERE checkout_session_id = $1', [
          body.checkoutSessionId,
        ]),
      ).toEqual({ kind: 'plan', buyer_id: owner.id });
      expect(stripe.fake().made('POST', '/v1/checkout/sessions').at(-1)!.form).toMatchObject({
        mode: 'subscription',
        'metadata[kind]': 'plan',
        'line_items[0][price_data][unit_amount]': '900',
      });
    },
  }),
  'billing.portal_sessions.create': async () => ({
    path: '/api/billing/portal-sessions',
    body: {},
    check: async (body) => {
      expect(body.url).toMatch(/^https:\/\/billing\.stripe\.com\//);
      const [customer] = await t.sql<{ stripe_customer_id: string }>(
        'SELECT stripe_customer_id FROM billing_customers WHERE user_id = $1',
        [owner.id],
      );
      expect(stripe.fake().made('POST', '/v1/billing_portal/sessions').at(-1)!.form).toMatchObject({
        customer: customer.stripe_customer_id,
        return_url: 'http://127.0.0.1:3000/settings/billing',
      });
    },
  }),
  'payouts.onboarding_links.create': async () => ({
    path: '/api/payouts/onboarding-links',
    body: { country: 'DE' },
    check: (body) => {
      expect(body.url).toMatch(/^https:\/\/connect\.stripe\.com\//);
    },
  }),
  'payouts.get': async () => ({
    path: '/api/payouts',
    check: (body) => {
      expect(body).toMatchObject({
        status: 'enabled',
        chargesEnabled: true,
        country: 'DE',
        onboardingStarted: true,
      });
    },
  }),
  'transfers.list': async () => {
    const id = await failedTransfer();
    return {
      path: '/api/transfers?status=failed&limit=1',
      check: (body) => {
        expect(body.items).toEqual([
          expect.objectContaining({ id, status: 'failed', amount: 200 }),
        ]);
      },
    };
  },
  'transfers.retry': async () => {
    const id = await failedTransfer();
    return {
      path: `/api/transfers/${id}/retry`,
      check: async (body) => {
        expect(body).toMatchObject({ id, status: 'paid', attempts: 2 });
        expect(await row('SELECT status FROM transfers WHERE id = $1', [id])).toEqual({
          status: 'paid',
        });
      },
    };
  },
};

describeRouteMatrix({
  module: 'billing',
  app: t,
  caller: () => owner,
  cases,
  outsideMatrix: {
    'billing.stripe_events.receive':
      'webhook-ingress: signatures, replays and effects in billing.e2e-spec.ts',
  },
});
