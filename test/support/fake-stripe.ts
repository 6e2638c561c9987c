import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

/** One request the SDK made, as the fake received it. */
export interface StripeRequest {
  method: string;
  path: string;
  /** The form-encoded body, flat: `line_items[0][price_data][unit_amount]` → `'1500'`. */
  form: Record<string, string>;
  idempotencyKey: string | undefined;
  stripeAccount: string | undefined;
  authorization: string | undefined;
}

export interface FakeAccount {
  id: string;
  charges_enabled: boolean;
  payouts_enabled: boolean;
  details_submitted: boolean;
  requirements: {
    currently_due: string[];
    pending_verification: string[];
    disabled_reason: string | null;
  };
}

/**
 * A small Stripe-compatible API on loopback for the e2e tests: the official SDK (pointed here
 * by STRIPE_API_BASE) makes its real requests, the fake records them and answers plausible
 * objects. Like Stripe, a repeated Idempotency-Key answers the first response again.
 */
export class FakeStripe {
  readonly requests: StripeRequest[] = [];
  readonly accounts = new Map<string, FakeAccount>();
  /** Period end the fake's subscriptions report (unix seconds). */
  subscriptionPeriodEnd = Math.floor(Date.now() / 1000) + 30 * 24 * 3600;
  /** Transfers answer Stripe's insufficient-funds error while true. */
  failTransfers = false;
  private readonly idempotent = new Map<string, { status: number; body: unknown }>();
  private readonly answers = new WeakMap<object, unknown>();
  private counter = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeStripe> {
    const holder: { fake?: FakeStripe } = {};
    const server = createServer((req, res) => {
      void holder.fake!.handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'Content-Type': 'application/json', 'Request-Id': 'req_fake' });
        res.end(JSON.stringify(body));
      });
    });
    const fake = (holder.fake = new FakeStripe(server));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests to one endpoint, e.g. `POST /v1/checkout/sessions`. */
  made(method: string, path: string | RegExp): StripeRequest[] {
    return this.requests.filter(
      (r) =>
        r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
    );
  }

  /** The id of the object the fake answered `request` with. */
  sessionIdOf(request: object): string | undefined {
    return (this.answers.get(request) as { id?: string } | undefined)?.id;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const path = (req.url ?? '/').split('?')[0];
    const request: StripeRequest = {
      method: req.method ?? 'GET',
      path,
      form,
      idempotencyKey: header('idempotency-key'),
      stripeAccount: header('stripe-account'),
      authorization: header('authorization'),
    };
    this.requests.push(request);
    const key = request.idempotencyKey && `${request.method} ${path} ${request.idempotencyKey}`;
    const answer = (key && this.idempotent.get(key)) || this.answer(request);
    if (key) this.idempotent.set(key, answer);
    this.answers.set(request, answer.body);
    return answer;
  }

  private answer(r: StripeRequest): { status: number; body: unknown } {
    const n = ++this.counter;
    const now = Math.floor(Date.now() / 1000);
    const route = `${r.method} ${r.path}`;
    if (route === 'POST /v1/customers') return ok({ id: `cus_fake${n}`, object: 'customer' });
    if (route === 'POST /v1/checkout/sessions')
      return ok({
        id: `cs_test_fake${n}`,
        object: 'checkout.session',
        mode: r.form.mode,
        url: `https://checkout.stripe.com/c/pay/cs_test_fake${n}`,
        expires_at: now + 24 * 3600,
        metadata: {},
      });
    if (route === 'POST /v1/billing_portal/sessions')
      return ok({
        id: `bps_fake${n}`,
        object: 'billing_portal.session',
        url: `https://billing.stripe.com/p/session/test_fake${n}`,
      });
    const subscription = /^POST \/v1\/subscriptions\/([^/]+)$/.exec(route);
    if (subscription)
      return ok(this.subscription(subscription[1], r.form.cancel_at_period_end === 'true'));
    if (route === 'POST /v1/accounts') {
      const account: FakeAccount = {
        id: `acct_fake${n}`,
        charges_enabled: false,
        payouts_enabled: false,
        details_submitted: false,
        requirements: {
          currently_due: ['external_account', 'tos_acceptance.date'],
          pending_verification: [],
          disabled_reason: 'requirements.past_due',
        },
      };
      this.accounts.set(account.id, account);
      return ok({ object: 'account', type: 'express', country: r.form.country, ...account });
    }
    const account = /^GET \/v1\/accounts\/([^/]+)$/.exec(route);
    if (account) {
      const found = this.accounts.get(account[1]);
      return found ? ok({ object: 'account', ...found }) : notFound('account');
    }
    if (route === 'POST /v1/account_links')
      return ok({
        object: 'account_link',
        url: `https://connect.stripe.com/setup/e/${r.form.account}/fake${n}`,
        expires_at: now + 300,
        created: now,
      });
    if (route === 'POST /v1/transfers') {
      if (this.failTransfers)
        return {
          status: 400,
          body: {
            error: {
              type: 'invalid_request_error',
              code: 'balance_insufficient',
              message: 'Insufficient funds in Stripe account.',
            },
          },
        };
      return ok({
        id: `tr_fake${n}`,
        object: 'transfer',
        amount: Number(r.form.amount),
        currency: r.form.currency,
        destination: r.form.destination,
        transfer_group: r.form.transfer_group,
      });
    }
    return notFound(route);
  }

  /** A Subscription object as the 2025+ API shapes it (period end on its items). */
  subscription(id: string, cancelAtPeriodEnd: boolean, extra: Record<string, unknown> = {}) {
    return {
      id,
      object: 'subscription',
      status: 'active',
      cancel_at_period_end: cancelAtPeriodEnd,
      ended_at: null,
      metadata: {},
      items: {
        object: 'list',
        data: [
          {
            id: `si_${id}`,
            object: 'subscription_item',
            current_period_end: this.subscriptionPeriodEnd,
          },
        ],
      },
      ...extra,
    };
  }
}

function ok(body: unknown) {
  return { status: 200, body };
}

function notFound(what: string) {
  return {
    status: 404,
    body: { error: { type: 'invalid_request_error', message: `No such ${what}` } },
  };
}

let eventCounter = 0;

/** A Stripe event envelope around `object`; `created` defaults to now. */
export function stripeEvent(
  type: string,
  object: Record<string, unknown>,
  created = Math.floor(Date.now() / 1000),
) {
  eventCounter += 1;
  return {
    id: `evt_test_${Date.now()}_${eventCounter}`,
    object: 'event',
    type,
    created,
    api_version: '2026-10-28.endive',
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object },
  };
}

/** Signs a payload as Stripe would, with the SDK's own test helper. */
export function stripeSignature(payload: string, secret: string, timestamp?: number): string {
  return new Stripe('sk_test_signing_only').webhooks.generateTestHeaderString({
    payload,
    secret,
    timestamp,
  });
}
