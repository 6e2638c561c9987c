import { EventRelay } from '../src/events/index.js';
import { AiCredits } from '../src/modules/billing/index.js';
import { TransfersService } from '../src/modules/billing/transfers/transfers.service.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import {
  accountUpdated,
  checkoutCompleted,
  enablePayouts,
  pricedPost,
  sendStripeEvent,
  STRIPE_TEST_ENV,
  useFakeStripe,
} from './support/billing.js';
import { stripeEvent, stripeSignature } from './support/fake-stripe.js';
import { createTestApp, useTestApp } from './support/test-app.js';

/**
 * Billing against a Stripe-compatible fake on loopback: the official SDK makes its real
 * requests, and Stripe's events are signed with the SDK's own test helper.
 */
const stripe = useFakeStripe();
const t = useTestApp(() => ({ env: { ...stripe.env(), BACKGROUND_WORK: 'false' } }));
let seller: SignedInUser;
let buyer: SignedInUser;
let stranger: SignedInUser;
let sellerAccount: string;
let buyerCheckout: string;
let strangerPosts: string;

beforeAll(async () => {
  seller = await signUp(t);
  buyer = await signUp(t);
  stranger = await signUp(t);
  buyerCheckout = (await createToken(t, buyer, ['billing:checkout', 'posts:read'])).token;
  strangerPosts = (await createToken(t, stranger, ['posts:write'])).token;
});

/** The fields of a post (GET /api/posts/{postId}) a feed item shares with it. */
const feedFieldsOf = ({
  body: _body,
  parentPostId: _parent,
  replyState: _replyState,
  revisionNote: _revisionNote,
  ...shared
}: Record<string, unknown>) => shared;

const count = async (table: string, where = 'true', params: unknown[] = []) =>
  Number(
    (await t.sql<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, params))[0].n,
  );

const checkout = (
  postId: string,
  key?: string,
  extra: Record<string, unknown> = {},
  token = buyerCheckout,
) => {
  const req = t.http().post('/api/billing/checkout-links').set(bearer(token));
  return (key ? req.set('Idempotency-Key', key) : req).send({ postId, ...extra });
};

describe('payouts: onboarding and account.updated', () => {
  it('refuses a checkout while the seller cannot be paid, asking Stripe nothing', async () => {
    const postId = await pricedPost(t, seller);
    const sessionsBefore = stripe.fake().made('POST', '/v1/checkout/sessions').length;
    const res = await checkout(postId).expect(409);
    expect(res.body).toMatchObject({ code: 'seller_payouts_not_enabled' });
    expect(stripe.fake().made('POST', '/v1/checkout/sessions')).toHaveLength(sessionsBefore);
    expect(await count('checkout_links', 'post_id = $1', [postId])).toBe(0);
  });

  it('creates the Express account once and answers an Account Link; status starts incomplete', async () => {
    const token = (await createToken(t, seller, ['payouts:manage'])).token;
    const first = await t
      .http()
      .post('/api/payouts/onboarding-links')
      .set(bearer(token))
      .send({ country: 'de' })
      .expect(201);
    expect(first.body.url).toMatch(/^https:\/\/connect\.stripe\.com\/setup\/e\/acct_fake\d+\//);
    const again = await t
      .http()
      .post('/api/payouts/onboarding-links')
      .set(bearer(token))
      .send({ country: 'DE' })
      .expect(201);
    expect(again.body.url).not.toBe(first.body.url);
    const created = stripe.fake().made('POST', '/v1/accounts');
    expect(created).toHaveLength(1);
    expect(created[0].form).toMatchObject({
      type: 'express',
      country: 'DE',
      'metadata[userId]': seller.id,
    });
    expect(created[0].idempotencyKey).toBe(`connected-account:${seller.id}:DE`);
    const links = stripe.fake().made('POST', '/v1/account_links');
    expect(links).toHaveLength(2);
    expect(links[0].form).toMatchObject({
      type: 'account_onboarding',
      return_url: 'http://127.0.0.1:3000/payouts/onboarding/return',
    });
    const [row] = await t.sql<{ stripe_account_id: string; status: string; country: string }>(
      'SELECT stripe_account_id, status, country FROM payout_accounts WHERE user_id = $1',
      [seller.id],
    );
    expect(row).toMatchObject({ status: 'incomplete', country: 'DE' });
    sellerAccount = row.stripe_account_id;
    const payouts = await t.http().get('/api/payouts').set(bearer(token)).expect(200);
    expect(payouts.body).toMatchObject({
      status: 'incomplete',
      chargesEnabled: false,
      requirementsDue: expect.arrayContaining(['external_account']),
    });
  });

  it('refuses a country Stripe Connect does not support, before any Stripe call', async () => {
    const token = (await createToken(t, stranger, ['payouts:manage'])).token;
    const before = stripe.fake().requests.length;
    const res = await t
      .http()
      .post('/api/payouts/onboarding-links')
      .set(bearer(token))
      .send({ country: 'KP' })
      .expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'country' })]);
    expect(stripe.fake().requests.length).toBe(before);
    expect(await count('payout_accounts', 'user_id = $1', [stranger.id])).toBe(0);
  });

  it('moves payout status with account.updated, and an older event does not undo a newer one', async () => {
    const token = (await createToken(t, seller, ['payouts:manage'])).token;
    // Stripe's clock, seconds after onboarding (whose state is held as of then).
    const now = Math.floor(Date.now() / 1000) + 20;
    await sendStripeEvent(
      t,
      accountUpdated(sellerAccount, false, now - 10, {
        requirements: {
          currently_due: [],
          pending_verification: ['individual.verification.document'],
          disabled_reason: 'requirements.pending_verification',
        },
      }),
    ).expect(200);
    expect((await t.http().get('/api/payouts').set(bearer(token)).expect(200)).body.status).toBe(
      'pending_review',
    );
    await sendStripeEvent(t, accountUpdated(sellerAccount, true, now)).expect(200);
    expect((await t.http().get('/api/payouts').set(bearer(token)).expect(200)).body).toMatchObject({
      status: 'enabled',
      chargesEnabled: true,
      payoutsEnabled: true,
      requirementsDue: [],
    });
    // Delivered late: created before the one applied.
    await sendStripeEvent(
      t,
      accountUpdated(sellerAccount, false, now - 5, {
        requirements: {
          currently_due: [],
          pending_verification: [],
          disabled_reason: 'rejected.fraud',
        },
      }),
    ).expect(200);
    expect((await t.http().get('/api/payouts').set(bearer(token)).expect(200)).body.status).toBe(
      'enabled',
    );
    // Refreshed from Stripe on demand: the fake says blocked now.
    stripe.fake().accounts.get(sellerAccount)!.requirements.disabled_reason = 'rejected.other';
    const refreshed = await t
      .http()
      .get('/api/payouts?refresh=true')
      .set(bearer(token))
      .expect(200);
    expect(refreshed.body.status).toBe('blocked');
    expect(stripe.fake().made('GET', `/v1/accounts/${sellerAccount}`)).toHaveLength(1);
    await sendStripeEvent(t, accountUpdated(sellerAccount, true, now + 60)).expect(200);
    expect((await t.http().get('/api/payouts').set(bearer(token)).expect(200)).body.status).toBe(
      'enabled',
    );
  });
});

describe('checkout links and entitlements', () => {
  let postId: string;
  let session: { url: string; checkoutSessionId: string; expiresAt: string };

  beforeAll(async () => {
    postId = await pricedPost(
      t,
      seller,
      { model: 'one_time', amount: 1500, currency: 'eur' },
      'the paid part',
    );
    // A reply the seller wrote: part of what buyers get.
    const sellerToken = (await createToken(t, seller, ['posts:write'])).token;
    await t
      .http()
      .post('/api/posts')
      .set(bearer(sellerToken))
      .send({ title: 'answer', body: 'reply body', status: 'PUBLISHED', parentPostId: postId })
      .expect(201);
  });

  it('shows others the title, price and a purchase hint, never the body, artifact or replies', async () => {
    const res = await t.http().get(`/api/posts/${postId}`).set(bearer(buyerCheckout)).expect(200);
    expect(res.body).toMatchObject({
      title: 'Premium guide',
      body: null,
      pricing: { model: 'one_time', amount: 1500, currency: 'eur' },
      purchase: {
        endpoint: 'billing.checkout_links.create',
        method: 'POST',
        path: '/api/billing/checkout-links',
      },
    });
    const feed = await t
      .http()
      .get(`/api/posts?author=${seller.id}`)
      .set(bearer(buyerCheckout))
      .expect(200);
    const item = (feed.body.items as { id: string }[]).find((i) => i.id === postId);
    // The feed's item for it: no excerpt of the locked body either.
    expect(item).toEqual({ ...feedFieldsOf(res.body), excerpt: null, bodyTruncated: false });
    const replies = await t
      .http()
      .get(`/api/posts/${postId}/replies`)
      .set(bearer(buyerCheckout))
      .expect(403);
    expect(replies.body).toMatchObject({ code: 'purchase_required' });
    const reply = await t
      .http()
      .post('/api/posts')
      .set(bearer(strangerPosts))
      .send({ title: 'me too', body: 'x', status: 'PUBLISHED', parentPostId: postId })
      .expect(403);
    expect(reply.body).toMatchObject({ code: 'purchase_required' });
    // The author reads everything.
    const sellerToken = (await createToken(t, seller, ['posts:read'])).token;
    expect(
      (await t.http().get(`/api/posts/${postId}`).set(bearer(sellerToken)).expect(200)).body,
    ).toMatchObject({ body: 'the paid part', purchase: null });
  });

  it('refuses unpriced posts, your own post and off-site redirects, changing nothing', async () => {
    const plain = await t
      .http()
      .post('/api/posts')
      .set(bearer(strangerPosts))
      .send({ title: 'free', body: 'b', status: 'PUBLISHED' })
      .expect(201);
    expect((await checkout(plain.body.id as string).expect(409)).body).toMatchObject({
      code: 'not_for_sale',
    });
    const sellerToken = (await createToken(t, seller, ['billing:checkout'])).token;
    expect((await checkout(postId, undefined, {}, sellerToken).expect(409)).body).toMatchObject({
      code: 'not_for_sale',
    });
    const offsite = await checkout(postId, undefined, {
      successUrl: 'https://evil.example/phish',
    }).expect(400);
    expect(offsite.body.errors).toEqual([expect.objectContaining({ field: 'successUrl' })]);
    expect(await count('checkout_links')).toBe(0);
    expect(stripe.fake().made('POST', '/v1/checkout/sessions')).toHaveLength(0);
  });

  it('creates a Stripe Checkout Session with the price, buyer, seller and idempotency key', async () => {
    const res = await checkout(postId, 'buy-guide-1').expect(201);
    session = res.body as typeof session;
    expect(session).toMatchObject({
      url: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/),
      checkoutSessionId: expect.stringMatching(/^cs_test_/),
    });
    const [request] = stripe.fake().made('POST', '/v1/checkout/sessions');
    expect(request.idempotencyKey).toBe(`checkout:${buyer.id}:buy-guide-1`);
    expect(request.authorization).toBe(`Bearer ${STRIPE_TEST_ENV.STRIPE_SECRET_KEY}`);
    expect(request.form).toMatchObject({
      mode: 'payment',
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][unit_amount]': '1500',
      'line_items[0][price_data][currency]': 'eur',
      'line_items[0][price_data][product_data][name]': 'Premium guide',
      success_url: 'http://127.0.0.1:3000/checkout/success',
      cancel_url: 'http://127.0.0.1:3000/checkout/cancel',
      client_reference_id: buyer.id,
      'metadata[kind]': 'post',
      'metadata[postId]': postId,
      'metadata[buyerId]': buyer.id,
      'metadata[sellerId]': seller.id,
      'payment_intent_data[transfer_data][destination]': sellerAccount,
    });
    expect(request.form['payment_intent_data[transfer_group]']).toMatch(/^purchase_[0-9a-f-]{36}$/);
    expect(request.stripeAccount).toBeUndefined(); // a destination charge, made on the platform
    const [link] = await t.sql(
      'SELECT buyer_id, post_id, idempotency_key, checkout_session_id FROM checkout_links',
    );
    expect(link).toEqual({
      buyer_id: buyer.id,
      post_id: postId,
      idempotency_key: 'buy-guide-1',
      checkout_session_id: session.checkoutSessionId,
    });
  });

  it('answers the same link for the same Idempotency-Key and body, and 409 for another body', async () => {
    const again = await checkout(postId, 'buy-guide-1').expect(201);
    expect(again.body).toEqual(session);
    expect(stripe.fake().made('POST', '/v1/checkout/sessions')).toHaveLength(1);
    const other = await checkout(postId, 'buy-guide-1', {
      cancelUrl: 'http://127.0.0.1:3000/elsewhere',
    }).expect(409);
    expect(other.body).toMatchObject({ code: 'idempotency_key_reused' });
    expect(stripe.fake().made('POST', '/v1/checkout/sessions')).toHaveLength(1);
    expect(await count('checkout_links')).toBe(1);
  });

  it('grants nothing for the success redirect or a forged or stale event', async () => {
    const event = checkoutCompleted(stripe.fake(), session.checkoutSessionId);
    const forged = await sendStripeEvent(t, event, 'whsec_notTheRealSecret').expect(400);
    expect(forged.body).toMatchObject({ code: 'signature_rejected' });
    const payload = JSON.stringify(event);
    const stale = stripeSignature(
      payload,
      STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET,
      Math.floor(Date.now() / 1000) - 3600,
    );
    await t
      .http()
      .post('/api/billing/stripe/events')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', stale)
      .send(payload)
      .expect(400);
    const tampered = JSON.stringify({
      ...event,
      data: {
        object: {
          ...event.data.object,
          metadata: { ...(event.data.object.metadata as object), buyerId: stranger.id },
        },
      },
    });
    await t
      .http()
      .post('/api/billing/stripe/events')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', stripeSignature(payload, STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET))
      .send(tampered)
      .expect(400);
    await t
      .http()
      .post('/api/billing/stripe/events')
      .set('Content-Type', 'application/json')
      .send(payload)
      .expect(400);
    expect(await count('stripe_events', 'id = $1', [event.id])).toBe(0);
    expect(await count('purchases')).toBe(0);
    expect(await count('post_entitlements')).toBe(0);
    expect(
      (await t.http().get(`/api/posts/${postId}`).set(bearer(buyerCheckout)).expect(200)).body.body,
    ).toBeNull();
  });

  it('checkout.session.completed: purchase, entitlement and purchase.succeeded in one go; the buyer reads, others do not', async () => {
    const event = checkoutCompleted(stripe.fake(), session.checkoutSessionId);
    const res = await sendStripeEvent(t, event).expect(200);
    expect(res.body).toEqual({ received: true, duplicate: false });
    const [purchase] = await t.sql(
      'SELECT buyer_id, seller_id, post_id, mode, amount, currency, checkout_session_id FROM purchases',
    );
    expect(purchase).toEqual({
      buyer_id: buyer.id,
      seller_id: seller.id,
      post_id: postId,
      mode: 'payment',
      amount: 1500,
      currency: 'eur',
      checkout_session_id: session.checkoutSessionId,
    });
    expect(
      await t.sql('SELECT user_id, until FROM post_entitlements WHERE post_id = $1', [postId]),
    ).toEqual([{ user_id: buyer.id, until: null }]);
    const events = await t.sql<{ data: Record<string, unknown>; recipients: string[] }>(
      "SELECT data, recipients FROM domain_events WHERE type = 'purchase.succeeded'",
    );
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({
      postId,
      buyerId: buyer.id,
      sellerId: seller.id,
      amount: 1500,
      currency: 'eur',
      mode: 'payment',
      purchaseId: expect.any(String),
    });
    expect([...events[0].recipients].sort()).toEqual([buyer.id, seller.id].sort());

    const mine = await t.http().get(`/api/posts/${postId}`).set(bearer(buyerCheckout)).expect(200);
    expect(mine.body).toMatchObject({ body: 'the paid part', purchase: null });
    const feed = await t
      .http()
      .get(`/api/posts?author=${seller.id}`)
      .set(bearer(buyerCheckout))
      .expect(200);
    expect((feed.body.items as { id: string }[]).find((i) => i.id === postId)).toEqual({
      ...feedFieldsOf(mine.body),
      excerpt: 'the paid part',
      bodyTruncated: false,
    });
    const replies = await t
      .http()
      .get(`/api/posts/${postId}/replies`)
      .set(bearer(buyerCheckout))
      .expect(200);
    expect(replies.body.items).toHaveLength(1);
    const strangerRead = (await createToken(t, stranger, ['posts:read'])).token;
    expect(
      (await t.http().get(`/api/posts/${postId}`).set(bearer(strangerRead)).expect(200)).body,
    ).toMatchObject({ body: null, purchase: { path: '/api/billing/checkout-links' } });
    await t.http().get(`/api/posts/${postId}/replies`).set(bearer(strangerRead)).expect(403);
    // Bought already: no second checkout.
    expect((await checkout(postId).expect(409)).body).toMatchObject({ code: 'already_entitled' });
  });

  it('lets a search find a priced post by its body only for those who read it', async () => {
    const strangerRead = (await createToken(t, stranger, ['posts:read'])).token;
    const found = async (token: string, q: string) =>
      (
        (await t.http().get(`/api/posts?author=${seller.id}&q=${q}`).set(bearer(token)).expect(200))
          .body.items as { id: string }[]
      ).some((i) => i.id === postId);
    expect(await found(strangerRead, 'paid')).toBe(false);
    expect(await found(strangerRead, 'premium')).toBe(true);
    expect(await found(buyerCheckout, 'paid')).toBe(true);
  });

  it('a replayed event is acknowledged and changes nothing', async () => {
    const event = checkoutCompleted(stripe.fake(), session.checkoutSessionId);
    await sendStripeEvent(t, event).expect(200);
    const before = {
      purchases: await count('purchases'),
      events: await count('domain_events'),
      stripe: await count('stripe_events'),
    };
    const replay = await sendStripeEvent(t, event).expect(200);
    expect(replay.body).toEqual({ received: true, duplicate: true });
    expect({
      purchases: await count('purchases'),
      events: await count('domain_events'),
      stripe: await count('stripe_events'),
    }).toEqual(before);
  });

  it('acknowledges event types it does not handle', async () => {
    const event = stripeEvent('radar.early_fraud_warning.created', {
      id: 'issfr_1',
      object: 'radar.early_fraud_warning',
    });
    expect((await sendStripeEvent(t, event).expect(200)).body).toEqual({
      received: true,
      duplicate: false,
    });
  });
});

describe('subscriptions: monthly posts, cancel at period end', () => {
  let postId: string;
  let subscriptionRowId: string;
  const subscriptionId = 'sub_fake_monthly';

  beforeAll(async () => {
    postId = await pricedPost(
      t,
      seller,
      { model: 'subscription', amount: 500, currency: 'usd' },
      'monthly letter',
    );
  });

  it('checks out a subscription and keeps access until the period ends after cancelling', async () => {
    const link = await checkout(postId).expect(201);
    const request = stripe.fake().made('POST', '/v1/checkout/sessions').at(-1)!;
    expect(request.form).toMatchObject({
      mode: 'subscription',
      'line_items[0][price_data][recurring][interval]': 'month',
      'line_items[0][price_data][unit_amount]': '500',
      'subscription_data[metadata][postId]': postId,
      'subscription_data[transfer_data][destination]': sellerAccount,
    });
    const periodEnd = stripe.fake().subscriptionPeriodEnd;
    await sendStripeEvent(
      t,
      checkoutCompleted(stripe.fake(), link.body.checkoutSessionId as string, {
        subscription: subscriptionId,
      }),
    ).expect(200);
    const metadata = { kind: 'post', postId, buyerId: buyer.id, sellerId: seller.id };
    await sendStripeEvent(
      t,
      stripeEvent(
        'customer.subscription.updated',
        stripe.fake().subscription(subscriptionId, false, { metadata }),
      ),
    ).expect(200);

    const read = (await createToken(t, buyer, ['billing:read', 'billing:manage', 'posts:read']))
      .token;
    const list = await t.http().get('/api/billing/subscriptions').set(bearer(read)).expect(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        postId,
        status: 'active',
        cancelAtPeriodEnd: false,
        currentPeriodEnd: new Date(periodEnd * 1000).toISOString(),
      }),
    ]);
    subscriptionRowId = list.body.items[0].id as string;
    expect((await t.http().get('/api/billing').set(bearer(read)).expect(200)).body).toMatchObject({
      plan: 'free',
      subscriptions: { active: 1 },
    });

    const cancelled = await t
      .http()
      .post(`/api/billing/subscriptions/${subscriptionRowId}/cancel`)
      .set(bearer(read))
      .expect(200);
    expect(cancelled.body).toMatchObject({
      id: subscriptionRowId,
      cancelAtPeriodEnd: true,
      status: 'active',
    });
    const [update] = stripe.fake().made('POST', `/v1/subscriptions/${subscriptionId}`);
    expect(update.form).toEqual({ cancel_at_period_end: 'true' });
    expect(
      (await t.http().get(`/api/posts/${postId}`).set(bearer(read)).expect(200)).body.body,
    ).toBe('monthly letter');
    const [row] = await t.sql<{ until: Date }>(
      'SELECT until FROM post_entitlements WHERE post_id = $1 AND user_id = $2',
      [postId, buyer.id],
    );
    expect(row.until.getTime()).toBeGreaterThanOrEqual(periodEnd * 1000);

    // An update from before the cancellation, delivered late, does not undo it.
    await sendStripeEvent(
      t,
      stripeEvent(
        'customer.subscription.updated',
        stripe.fake().subscription(subscriptionId, false, { metadata }),
        Math.floor(Date.now() / 1000) - 60,
      ),
    ).expect(200);
    expect(
      (await t.http().get('/api/billing/subscriptions').set(bearer(read)).expect(200)).body.items[0]
        .cancelAtPeriodEnd,
    ).toBe(true);

    // The period ends: Stripe deletes the subscription, and access goes with it.
    await sendStripeEvent(
      t,
      stripeEvent(
        'customer.subscription.deleted',
        stripe.fake().subscription(subscriptionId, true, {
          metadata,
          status: 'canceled',
          ended_at: Math.floor(Date.now() / 1000) - 1,
        }),
      ),
    ).expect(200);
    expect(
      (await t.http().get(`/api/posts/${postId}`).set(bearer(read)).expect(200)).body,
    ).toMatchObject({ body: null, purchase: expect.any(Object) });
    expect(
      (await t.http().get('/api/billing/subscriptions').set(bearer(read)).expect(200)).body.items[0]
        .status,
    ).toBe('canceled');
  });
});

describe('subscriptions: out of order', () => {
  it('grants nothing when the subscription’s deletion arrived before its checkout', async () => {
    const postId = await pricedPost(t, seller, {
      model: 'subscription',
      amount: 400,
      currency: 'eur',
    });
    const link = await checkout(postId).expect(201);
    const metadata = { kind: 'post', postId, buyerId: buyer.id, sellerId: seller.id };
    const now = Math.floor(Date.now() / 1000);
    await sendStripeEvent(
      t,
      stripeEvent(
        'customer.subscription.deleted',
        stripe
          .fake()
          .subscription('sub_gone', false, { metadata, status: 'canceled', ended_at: now }),
        now,
      ),
    ).expect(200);
    await sendStripeEvent(
      t,
      checkoutCompleted(
        stripe.fake(),
        link.body.checkoutSessionId as string,
        { subscription: 'sub_gone' },
        now - 60,
      ),
    ).expect(200);
    expect(
      (await t.http().get(`/api/posts/${postId}`).set(bearer(buyerCheckout)).expect(200)).body.body,
    ).toBeNull();
    expect(
      await t.sql(
        "SELECT status FROM billing_subscriptions WHERE stripe_subscription_id = 'sub_gone'",
      ),
    ).toEqual([{ status: 'canceled' }]);
  });
});

describe('subscriptions: invoices', () => {
  let postId: string;
  const subscriptionId = 'sub_fake_invoices';
  const metadata = () => ({ kind: 'post', postId, buyerId: buyer.id, sellerId: seller.id });

  beforeAll(async () => {
    postId = await pricedPost(t, seller, { model: 'subscription', amount: 700, currency: 'eur' });
    const link = await checkout(postId).expect(201);
    await sendStripeEvent(
      t,
      checkoutCompleted(stripe.fake(), link.body.checkoutSessionId as string, {
        subscription: subscriptionId,
      }),
    ).expect(200);
  });

  const invoice = (type: string, periodEnd: number, created?: number) =>
    stripeEvent(
      type,
      {
        id: `in_${type}_${periodEnd}`,
        object: 'invoice',
        billing_reason: 'subscription_cycle',
        parent: {
          type: 'subscription_details',
          subscription_details: { subscription: subscriptionId, metadata: metadata() },
        },
        lines: {
          object: 'list',
          data: [
            {
              id: 'il_1',
              object: 'line_item',
              period: { start: periodEnd - 30 * 86400, end: periodEnd },
            },
          ],
        },
      },
      created,
    );
  const state = async () =>
    (
      await t.sql<{ status: string; current_period_end: Date | null }>(
        'SELECT status, current_period_end FROM billing_subscriptions WHERE stripe_subscription_id = $1',
        [subscriptionId],
      )
    )[0];
  const until = async () =>
    (
      await t.sql<{ until: Date }>(
        'SELECT until FROM post_entitlements WHERE post_id = $1 AND user_id = $2',
        [postId, buyer.id],
      )
    )[0].until;

  it('invoice.payment_failed marks it past_due and keeps access while Stripe retries; invoice.paid extends access', async () => {
    const now = Math.floor(Date.now() / 1000) + 5;
    await sendStripeEvent(t, invoice('invoice.payment_failed', now + 30 * 86400, now)).expect(200);
    expect((await state()).status).toBe('past_due');
    expect(
      (await t.http().get(`/api/posts/${postId}`).set(bearer(buyerCheckout)).expect(200)).body.body,
    ).not.toBeNull();
    const nextEnd = now + 62 * 86400;
    await sendStripeEvent(t, invoice('invoice.paid', nextEnd, now + 1)).expect(200);
    expect(await state()).toEqual({
      status: 'active',
      current_period_end: new Date(nextEnd * 1000),
    });
    expect((await until()).getTime()).toBe(nextEnd * 1000);
    // An earlier period's invoice, late, shortens nothing.
    await sendStripeEvent(t, invoice('invoice.paid', now + 10 * 86400, now - 100)).expect(200);
    expect((await state()).current_period_end).toEqual(new Date(nextEnd * 1000));
    expect((await until()).getTime()).toBe(nextEnd * 1000);
  });
});

describe('the Pro plan and AI credits', () => {
  it('moves to Pro on the plan checkout’s event, raising the AI credit allowance, and back on deletion', async () => {
    const user = await signUp(t);
    const token = (await createToken(t, user, ['billing:manage', 'billing:read'])).token;
    expect((await t.http().get('/api/billing').set(bearer(token)).expect(200)).body).toMatchObject({
      plan: 'free',
      aiCredits: { balance: 50, monthlyAllowance: 50 },
    });
    const credits = t.running.app.get(AiCredits);
    expect(await t.db.transaction((tx) => credits.spend(tx, user.id, 20, 'test image'))).toBe(true);
    expect(await t.db.transaction((tx) => credits.spend(tx, user.id, 31, 'too much'))).toBe(false);
    expect(await credits.aiCreditBalance(user.id)).toBe(30);

    const link = await t
      .http()
      .post('/api/billing/plan/checkout-links')
      .set(bearer(token))
      .send({})
      .expect(201);
    await sendStripeEvent(
      t,
      checkoutCompleted(stripe.fake(), link.body.checkoutSessionId as string, {
        subscription: 'sub_plan_1',
      }),
    ).expect(200);
    expect((await t.http().get('/api/billing').set(bearer(token)).expect(200)).body).toMatchObject({
      plan: 'pro',
      aiCredits: { balance: 980, monthlyAllowance: 1000 },
    });
    expect(
      (
        await t
          .http()
          .post('/api/billing/plan/checkout-links')
          .set(bearer(token))
          .send({})
          .expect(409)
      ).body,
    ).toMatchObject({ code: 'already_entitled' });
    // The plan's subscription is not a subscription to a post.
    expect(
      (await t.http().get('/api/billing/subscriptions').set(bearer(token)).expect(200)).body.items,
    ).toEqual([]);

    const metadata = { kind: 'plan', buyerId: user.id };
    await sendStripeEvent(
      t,
      stripeEvent(
        'customer.subscription.deleted',
        stripe.fake().subscription('sub_plan_1', false, {
          metadata,
          status: 'canceled',
          ended_at: Math.floor(Date.now() / 1000),
        }),
      ),
    ).expect(200);
    expect((await t.http().get('/api/billing').set(bearer(token)).expect(200)).body).toMatchObject({
      plan: 'free',
      aiCredits: { balance: 30 },
    });
  });
});

describe('transfers: a referral share', () => {
  let referrer: SignedInUser;
  let postId: string;

  beforeAll(async () => {
    referrer = await signUp(t);
    postId = await pricedPost(t, seller, { model: 'one_time', amount: 2000, currency: 'eur' });
    const sharing = (await createToken(t, referrer, ['sharing:manage'])).token;
    await t
      .http()
      .post('/api/sharing/referral-paths')
      .set(bearer(sharing))
      .send({ target: { postId }, code: 'friend-link', coSellerShareBps: 1500 })
      .expect(201);
    await enablePayouts(t, referrer);
  });

  it('records a failed transfer, and a retry makes exactly one new Stripe transfer request', async () => {
    const link = await checkout(postId, undefined, { referralCode: 'FRIEND-link' }).expect(201);
    const request = stripe.fake().made('POST', '/v1/checkout/sessions').at(-1)!;
    expect(request.form).toMatchObject({
      'payment_intent_data[application_fee_amount]': '300',
      'metadata[referrerId]': referrer.id,
      'metadata[coSellerShareBps]': '1500',
    });
    stripe.fake().failTransfers = true;
    await sendStripeEvent(
      t,
      checkoutCompleted(stripe.fake(), link.body.checkoutSessionId as string),
    ).expect(200);
    const first = stripe.fake().made('POST', '/v1/transfers');
    expect(first).toHaveLength(1);
    const [transfer] = await t.sql<{
      id: string;
      status: string;
      amount: number;
      transfer_group: string;
      purchase_id: string;
    }>('SELECT id, status, amount, transfer_group, purchase_id FROM transfers');
    expect(transfer).toMatchObject({
      status: 'failed',
      amount: 300,
      transfer_group: `purchase_${transfer.purchase_id}`,
    });
    expect(first[0].idempotencyKey).toBe(`transfer:${transfer.id}:1`);
    expect(first[0].form).toMatchObject({
      amount: '300',
      currency: 'eur',
      transfer_group: transfer.transfer_group,
      'metadata[transferId]': transfer.id,
    });
    expect(first[0].form.destination).toMatch(/^acct_fake/);

    const token = (await createToken(t, seller, ['transfers:manage'])).token;
    const failed = await t
      .http()
      .get('/api/transfers?status=failed')
      .set(bearer(token))
      .expect(200);
    expect(failed.body.items).toEqual([
      expect.objectContaining({
        id: transfer.id,
        status: 'failed',
        lastError: expect.stringContaining('Insufficient funds'),
        attempts: 1,
      }),
    ]);
    stripe.fake().failTransfers = false;
    const retried = await t
      .http()
      .post(`/api/transfers/${transfer.id}/retry`)
      .set(bearer(token))
      .expect(200);
    expect(retried.body).toMatchObject({
      status: 'paid',
      attempts: 2,
      stripeTransferId: expect.stringMatching(/^tr_fake/),
    });
    const all = stripe.fake().made('POST', '/v1/transfers');
    expect(all).toHaveLength(2);
    expect(all[1].idempotencyKey).toBe(`transfer:${transfer.id}:2`);
    // Only a failed transfer can be retried.
    expect(
      (await t.http().post(`/api/transfers/${transfer.id}/retry`).set(bearer(token)).expect(409))
        .body,
    ).toMatchObject({ code: 'conflict' });
    expect(stripe.fake().made('POST', '/v1/transfers')).toHaveLength(2);
    // The referrer sees nothing of the seller's debts.
    const theirs = (await createToken(t, referrer, ['transfers:manage'])).token;
    expect(
      (await t.http().get('/api/transfers').set(bearer(theirs)).expect(200)).body.items,
    ).toEqual([]);
  });

  it('repeats a payment cut off by a dead worker under the same idempotency key', async () => {
    const [transfer] = await t.sql<{ id: string; stripe_transfer_id: string }>(
      "SELECT id, stripe_transfer_id FROM transfers WHERE status = 'paid'",
    );
    // As if the worker died after Stripe answered but before it wrote the outcome down.
    await t.sql(
      `UPDATE transfers SET status = 'pending', stripe_transfer_id = NULL, lease_owner = 'dead-worker',
         lease_expires_at = now() - interval '1 second' WHERE id = $1`,
      [transfer.id],
    );
    const before = stripe.fake().made('POST', '/v1/transfers');
    expect(await t.running.app.get(TransfersService).payDue()).toBe(1);
    const after = stripe.fake().made('POST', '/v1/transfers');
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)!.idempotencyKey).toBe(before.at(-1)!.idempotencyKey);
    expect(
      await t.sql('SELECT status, stripe_transfer_id, lease_owner FROM transfers WHERE id = $1', [
        transfer.id,
      ]),
    ).toEqual([
      { status: 'paid', stripe_transfer_id: transfer.stripe_transfer_id, lease_owner: null },
    ]);
  });

  it('owes the co-seller a share of each renewal of a subscription bought through the path', async () => {
    const monthly = await pricedPost(t, seller, {
      model: 'subscription',
      amount: 1000,
      currency: 'eur',
    });
    const sharing = (await createToken(t, referrer, ['sharing:manage'])).token;
    await t
      .http()
      .post('/api/sharing/referral-paths')
      .set(bearer(sharing))
      .send({ target: { postId: monthly }, code: 'friend-monthly', coSellerShareBps: 1000 })
      .expect(201);
    const link = await checkout(monthly, undefined, { referralCode: 'friend-monthly' }).expect(201);
    const request = stripe.fake().made('POST', '/v1/checkout/sessions').at(-1)!;
    expect(request.form).toMatchObject({
      'subscription_data[application_fee_percent]': '10',
      'subscription_data[metadata][referrerId]': referrer.id,
    });
    await sendStripeEvent(
      t,
      checkoutCompleted(stripe.fake(), link.body.checkoutSessionId as string, {
        subscription: 'sub_referred',
      }),
    ).expect(200);
    const metadata = Object.fromEntries(
      Object.entries(request.form)
        .filter(([k]) => k.startsWith('subscription_data[metadata]['))
        .map(([k, v]) => [k.slice('subscription_data[metadata]['.length, -1), v]),
    );
    const renewal = (eventCreated: number) =>
      stripeEvent(
        'invoice.paid',
        {
          id: 'in_renewal_1',
          object: 'invoice',
          billing_reason: 'subscription_cycle',
          amount_paid: 1000,
          currency: 'eur',
          parent: {
            type: 'subscription_details',
            subscription_details: { subscription: 'sub_referred', metadata },
          },
          lines: {
            object: 'list',
            data: [
              {
                id: 'il_r',
                object: 'line_item',
                period: { start: eventCreated, end: eventCreated + 30 * 86400 },
              },
            ],
          },
        },
        eventCreated,
      );
    const now = Math.floor(Date.now() / 1000);
    await sendStripeEvent(t, renewal(now)).expect(200);
    // Stripe may send the invoice's event again under another event id: one share per invoice.
    await sendStripeEvent(t, renewal(now)).expect(200);
    const rows = await t.sql<{ source: string; amount: number; status: string }>(
      `SELECT t.source, t.amount, t.status FROM transfers t JOIN purchases p ON p.id = t.purchase_id
        WHERE p.post_id = $1 ORDER BY t.created_at`,
      [monthly],
    );
    expect(rows).toEqual([
      { source: 'checkout', amount: 100, status: 'paid' },
      { source: 'in_renewal_1', amount: 100, status: 'paid' },
    ]);
  });

  it('marks a transfer reversed on transfer.reversed', async () => {
    const [transfer] = await t.sql<{ id: string; stripe_transfer_id: string }>(
      "SELECT id, stripe_transfer_id FROM transfers WHERE status = 'paid' ORDER BY created_at LIMIT 1",
    );
    await sendStripeEvent(
      t,
      stripeEvent('transfer.reversed', {
        id: transfer.stripe_transfer_id,
        object: 'transfer',
        reversed: true,
        metadata: { transferId: transfer.id },
      }),
    ).expect(200);
    expect(await t.sql('SELECT status FROM transfers WHERE id = $1', [transfer.id])).toEqual([
      { status: 'reversed' },
    ]);
    // A transfer.created delivered after it does not bring it back.
    await sendStripeEvent(
      t,
      stripeEvent('transfer.created', {
        id: transfer.stripe_transfer_id,
        object: 'transfer',
        metadata: { transferId: transfer.id },
      }),
    ).expect(200);
    expect(await t.sql('SELECT status FROM transfers WHERE id = $1', [transfer.id])).toEqual([
      { status: 'reversed' },
    ]);
  });

  it('delivers purchase.succeeded through the outbox', async () => {
    await t.running.app.get(EventRelay).drain();
    expect(await count('domain_events', "type = 'purchase.succeeded'")).toBeGreaterThanOrEqual(2);
  });
});

describe('no secrets in responses or the database', () => {
  it('stores and answers no Stripe key or webhook secret', async () => {
    const dump = JSON.stringify(
      await t.sql(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`,
      ),
    );
    const tables = (JSON.parse(dump) as { table_name: string }[]).map((r) => r.table_name);
    for (const table of tables) {
      const rows = JSON.stringify(await t.sql(`SELECT * FROM "${table}"`));
      expect(rows, table).not.toContain(STRIPE_TEST_ENV.STRIPE_SECRET_KEY);
      expect(rows, table).not.toContain(STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET);
    }
  });
});

describe('without STRIPE_SECRET_KEY', () => {
  it('answers 503 stripe_not_configured on the Stripe routes and serves everything else', async () => {
    const app = await createTestApp();
    try {
      const user = await signUp(app);
      const token = (
        await createToken(app, user, [
          'billing:checkout',
          'billing:read',
          'billing:manage',
          'payouts:manage',
          'posts:write',
        ])
      ).token;
      const post = await app
        .http()
        .post('/api/posts')
        .set(bearer(token))
        .send({ title: 't', body: 'b', status: 'PUBLISHED' })
        .expect(201);
      const res = await app
        .http()
        .post('/api/billing/checkout-links')
        .set(bearer(token))
        .send({ postId: post.body.id })
        .expect(503);
      expect(res.body).toMatchObject({ code: 'stripe_not_configured', status: 503 });
      expect(res.body.detail).toContain('STRIPE_SECRET_KEY');
      await app
        .http()
        .post('/api/billing/plan/checkout-links')
        .set(bearer(token))
        .send({})
        .expect(503);
      await app.http().post('/api/billing/portal-sessions').set(bearer(token)).send({}).expect(503);
      await app
        .http()
        .post('/api/payouts/onboarding-links')
        .set(bearer(token))
        .send({ country: 'DE' })
        .expect(503);
      const event = JSON.stringify(
        stripeEvent('account.updated', { id: 'acct_x', object: 'account' }),
      );
      const ingress = await app
        .http()
        .post('/api/billing/stripe/events')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', 't=1,v1=00')
        .send(event)
        .expect(503);
      expect(ingress.body).toMatchObject({ code: 'stripe_not_configured' });
      expect(
        (await app.http().get('/api/billing').set(bearer(token)).expect(200)).body,
      ).toMatchObject({
        plan: 'free',
        aiCredits: { balance: 50, monthlyAllowance: 50 },
        payouts: { status: 'incomplete', ready: false },
      });
      await app.http().get('/api/payouts').set(bearer(token)).expect(200);
      expect(await app.sql('SELECT * FROM checkout_links')).toEqual([]);
      expect(await app.sql('SELECT * FROM payout_accounts')).toEqual([]);
      const catalog = await app.http().get('/api/programmatic/catalog').expect(200);
      expect(catalog.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ code: 'stripe_not_configured', status: 503 }),
        ]),
      );
    } finally {
      await app.close();
    }
  });
});
