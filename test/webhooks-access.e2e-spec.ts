import { EventRelay } from '../src/events/index.js';
import { bearer, createToken, type SignedInUser, signUp } from './support/actors.js';
import { describeRouteMatrix, type RouteCall } from './support/route-matrix.js';
import { useTestApp } from './support/test-app.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * The Webhooks module's access matrix (see test/support/route-matrix.ts): every webhooks route
 * the catalog lists, called by its owner with a session and with a PAT holding exactly
 * webhooks:manage, and refused without it, changing nothing. Behaviour: webhooks.e2e-spec.ts.
 */

const t = useTestApp({
  env: { BACKGROUND_WORK: 'false', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' },
});
let alice: SignedInUser;
let aliceHooks: string;
let receiver: WebhookReceiver;

beforeAll(async () => {
  alice = await signUp(t);
  aliceHooks = (await createToken(t, alice, ['webhooks:manage'])).token;
  receiver = await new WebhookReceiver().start();
});
afterAll(() => receiver?.close());

/** Keeps Alice under the per-owner endpoint cap across the matrix's many calls. */
const prune = () =>
  t.sql(
    `DELETE FROM webhook_endpoints WHERE owner_id = $1 AND id NOT IN
       (SELECT id FROM webhook_endpoints WHERE owner_id = $1 ORDER BY created_at DESC LIMIT 5)`,
    [alice.id],
  );

const newEndpoint = async () => {
  await prune();
  return (
    await t
      .http()
      .post('/api/webhooks/endpoints')
      .set(bearer(aliceHooks))
      .send({ url: receiver.url, events: ['post.published'] })
      .expect(201)
  ).body as { id: string; secret: string };
};

const endpointRow = async (id: string) =>
  (await t.sql('SELECT * FROM webhook_endpoints WHERE id = $1', [id]))[0];

/** An endpoint with one delivered test event in its log. */
const endpointWithDelivery = async () => {
  const endpoint = await newEndpoint();
  const sent = (
    await t
      .http()
      .post(`/api/webhooks/endpoints/${endpoint.id}/test`)
      .set(bearer(aliceHooks))
      .expect(202)
  ).body as { deliveryId: string };
  await t.running.app.get(EventRelay).drain();
  return { endpoint, deliveryId: sent.deliveryId };
};

const cases: Record<string, () => Promise<RouteCall>> = {
  'webhooks.endpoints.create': async () => {
    await prune();
    return {
      path: '/api/webhooks/endpoints',
      body: { url: receiver.url, events: ['post.published', 'token.created'] },
      check: async (body) => {
        expect(body).toMatchObject({ events: ['post.published', 'token.created'], enabled: true });
        expect(body.secret).toMatch(/^whsec_/);
        expect(await endpointRow(body.id as string)).toMatchObject({ owner_id: alice.id });
      },
    };
  },
  'webhooks.endpoints.list': async () => {
    const endpoint = await newEndpoint();
    return {
      path: '/api/webhooks/endpoints',
      check: (body) =>
        expect((body.items as { id: string }[]).map((e) => e.id)).toContain(endpoint.id),
    };
  },
  'webhooks.endpoints.get': async () => {
    const endpoint = await newEndpoint();
    return {
      path: `/api/webhooks/endpoints/${endpoint.id}`,
      check: (body) => expect(body).toMatchObject({ id: endpoint.id, url: receiver.url }),
    };
  },
  'webhooks.endpoints.update': async () => {
    const endpoint = await newEndpoint();
    return {
      path: `/api/webhooks/endpoints/${endpoint.id}`,
      body: { enabled: false, description: 'paused' },
      check: async (body) => {
        expect(body).toMatchObject({ enabled: false, description: 'paused' });
        expect(await endpointRow(endpoint.id)).toMatchObject({ enabled: false });
      },
    };
  },
  'webhooks.endpoints.delete': async () => {
    const endpoint = await newEndpoint();
    return {
      path: `/api/webhooks/endpoints/${endpoint.id}`,
      check: async () => expect(await endpointRow(endpoint.id)).toBeUndefined(),
    };
  },
  'webhooks.endpoints.rotate_secret': async () => {
    const endpoint = await newEndpoint();
    const before = (await endpointRow(endpoint.id)) as { secret_sealed: string };
    return {
      path: `/api/webhooks/endpoints/${endpoint.id}/rotate-secret`,
      check: async (body) => {
        expect(body.secret).toMatch(/^whsec_/);
        expect(await endpointRow(endpoint.id)).toMatchObject({
          previous_secret_sealed: before.secret_sealed,
        });
      },
    };
  },
  'webhooks.endpoints.test': async () => {
    const endpoint = await newEndpoint();
    return {
      path: `/api/webhooks/endpoints/${endpoint.id}/test`,
      check: async (body) => {
        expect(
          await t.sql('SELECT endpoint_id, event_type FROM webhook_deliveries WHERE id = $1', [
            body.deliveryId,
          ]),
        ).toEqual([{ endpoint_id: endpoint.id, event_type: 'webhook.test' }]);
      },
    };
  },
  'webhooks.deliveries.list': async () => {
    const { endpoint, deliveryId } = await endpointWithDelivery();
    return {
      path: `/api/webhooks/endpoints/${endpoint.id}/deliveries`,
      check: (body) =>
        expect((body.items as { id: string }[]).map((d) => d.id)).toEqual([deliveryId]),
    };
  },
  'webhooks.deliveries.redeliver': async () => {
    const { deliveryId } = await endpointWithDelivery();
    return {
      path: `/api/webhooks/deliveries/${deliveryId}/redeliver`,
      check: (body) => expect(body).toMatchObject({ id: deliveryId, status: 'pending' }),
    };
  },
};

describeRouteMatrix({ module: 'webhooks', app: t, caller: () => alice, cases });
