import http from 'node:http';
import https from 'node:https';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';

/**
 * Why an attempt failed, as the delivery log shows it. `blocked` is a target the SSRF defence
 * refused (a private, loopback, link-local, metadata or multicast address); `signature` is a
 * signing secret that could not be opened (the secrets key changed).
 */
export const DELIVERY_ERROR_CLASSES = [
  'dns',
  'connect',
  'tls',
  'timeout',
  'http_4xx',
  'http_5xx',
  'redirect',
  'signature',
  'blocked',
] as const;
export type DeliveryErrorClass = (typeof DELIVERY_ERROR_CLASSES)[number];

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookResponse {
  /** The HTTP status, or null when no response arrived. */
  status: number | null;
  /** Null on a 2xx. */
  errorClass: DeliveryErrorClass | null;
  /** A short, secret-free account of a failure, for the log and the endpoint's last error. */
  error: string | null;
  retryAfter: string | undefined;
  /** The start of the response body (capped), for the delivery log. */
  bodyExcerpt: string;
  latencyMs: number;
}

/** Bytes of a response body read at most; the rest is discarded unread. */
export const RESPONSE_BODY_CAP = 4096;

/**
 * Sends one signed webhook to a user-chosen URL. The class is the injection token, so a test (or
 * a future queueing transport) can provide another; the one shipped is `HttpWebhookTransport`.
 */
export abstract class WebhookTransport {
  abstract send(request: WebhookRequest): Promise<WebhookResponse>;
}

/**
 * node:http(s) with request-filtering-agent: the target's address is checked after DNS resolution,
 * at connect time (so DNS rebinding to a private address is refused too), unless
 * WEBHOOK_ALLOW_PRIVATE_TARGETS is set. Redirects are never followed (node's client does not
 * follow them, and a 3xx counts as a failure), the body is capped and the whole exchange times out.
 */
@Injectable()
export class HttpWebhookTransport extends WebhookTransport implements OnApplicationShutdown {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
    const filter = {
      allowPrivateIPAddress: config.webhookAllowPrivateTargets,
      allowMetaIPAddress: false,
      keepAlive: true,
      maxSockets: 64,
    };
    this.httpAgent = new RequestFilteringHttpAgent(filter);
    this.httpsAgent = new RequestFilteringHttpsAgent(filter);
  }

  send(request: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const url = new URL(request.url);
    const client = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
    const timeoutMs = this.config.webhookTimeoutMs;
    return new Promise<WebhookResponse>((resolve) => {
      let settled = false;
      const finish = (response: Omit<WebhookResponse, 'latencyMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve({ ...response, latencyMs: Math.round(performance.now() - started) });
      };
      const req = client.request(url, {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(request.body)),
          'user-agent': 'GetPaidX-Webhooks/1.0',
          ...request.headers,
        },
      });
      // One deadline for connect, send and the whole response: a 2xx within it is success.
      const deadline = setTimeout(() => {
        finish(failure('timeout', `no complete response within ${timeoutMs / 1000} s`));
        req.destroy();
      }, timeoutMs);
      req.on('error', (error) => finish(classifyNetworkError(error)));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          const status = res.statusCode ?? 0;
          const bodyExcerpt = Buffer.concat(chunks).toString('utf8').slice(0, 1024);
          const retryAfter = header(res.headers['retry-after']);
          if (status >= 200 && status < 300)
            return finish({ status, errorClass: null, error: null, retryAfter, bodyExcerpt });
          const errorClass: DeliveryErrorClass =
            status >= 300 && status < 400 ? 'redirect' : status < 500 ? 'http_4xx' : 'http_5xx';
          const error =
            errorClass === 'redirect'
              ? `answered ${status} (redirects are not followed)`
              : `answered ${status}`;
          finish({ status, errorClass, error, retryAfter, bodyExcerpt });
        };
        res.on('data', (chunk: Buffer) => {
          if (size >= RESPONSE_BODY_CAP) return;
          chunks.push(chunk.subarray(0, RESPONSE_BODY_CAP - size));
          size += chunk.length;
          // The status is known; a receiver streaming a large body does not hold the worker.
          if (size >= RESPONSE_BODY_CAP) {
            done();
            res.destroy();
          }
        });
        res.on('end', done);
        res.on('error', () => done());
      });
      req.end(request.body);
    });
  }

  /** Closes pooled keep-alive sockets, once the delivery loop has stopped. */
  onApplicationShutdown(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function failure(
  errorClass: DeliveryErrorClass,
  error: string,
): Omit<WebhookResponse, 'latencyMs'> {
  return { status: null, errorClass, error, retryAfter: undefined, bodyExcerpt: '' };
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_OSSL)/;

/** A network failure as a delivery error class, without echoing anything the receiver sent. */
export function classifyNetworkError(error: Error): Omit<WebhookResponse, 'latencyMs'> {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  // request-filtering-agent's refusal names the resolved address and why it is not allowed.
  if (/is not allowed\. Because/.test(error.message))
    return failure(
      'blocked',
      `refused: the target resolves to a private, loopback, link-local or reserved address (${error.message.replace(/^DNS lookup /, '').replace(/ is not allowed.*$/, '')}); set WEBHOOK_ALLOW_PRIVATE_TARGETS=true only for local development`,
    );
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA')
    return failure('dns', `the host name did not resolve (${code})`);
  if (TLS_CODES.test(code) || /SSL|TLS|certificate/i.test(error.message))
    return failure('tls', `TLS handshake failed (${code || 'tls error'})`);
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT')
    return failure('timeout', `the connection timed out (${code})`);
  return failure('connect', `the connection failed (${code || 'network error'})`);
}
