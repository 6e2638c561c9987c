import { Writable } from 'node:stream';
import { bearer, createToken, signUp } from './support/actors.js';
import {
  accountUpdated,
  sendStripeEvent,
  STRIPE_TEST_ENV,
  useFakeStripe,
} from './support/billing.js';
import { createTestApp } from './support/test-app.js';

/**
 * Billing's log lines carry no Stripe secret. Its own file: an app's logs reach the sink only
 * when it is the one app of the process (the logger is process-wide).
 */
const stripe = useFakeStripe();

describe('the log', () => {
  it('carries no Stripe key or webhook secret, even when Stripe refuses', async () => {
    let log = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log += chunk.toString('utf8');
        done();
      },
    });
    const app = await createTestApp({
      env: { ...stripe.env(), BACKGROUND_WORK: 'false', LOG_LEVEL: 'info' },
      logDestination: sink,
    });
    try {
      const user = await signUp(app);
      const token = (await createToken(app, user, ['payouts:manage'])).token;
      await app
        .http()
        .post('/api/payouts/onboarding-links')
        .set(bearer(token))
        .send({ country: 'FR' })
        .expect(201);
      // The fake forgets the account: Stripe answers 404, the route 502 stripe_error.
      const [row] = await app.sql<{ stripe_account_id: string }>(
        'SELECT stripe_account_id FROM payout_accounts',
      );
      stripe.fake().accounts.delete(row.stripe_account_id);
      const refused = await app
        .http()
        .get('/api/payouts?refresh=true')
        .set(bearer(token))
        .expect(502);
      expect(refused.body).toMatchObject({ code: 'stripe_error' });
      expect(refused.text).not.toContain(STRIPE_TEST_ENV.STRIPE_SECRET_KEY);
      await sendStripeEvent(app, accountUpdated(row.stripe_account_id, true)).expect(200);
      await sendStripeEvent(app, accountUpdated(row.stripe_account_id, true), 'whsec_wrong').expect(
        400,
      );
      expect(log).toContain('Stripe request failed');
      expect(log).not.toContain(STRIPE_TEST_ENV.STRIPE_SECRET_KEY);
      expect(log).not.toContain(STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET);
    } finally {
      await app.close();
    }
  });
});
