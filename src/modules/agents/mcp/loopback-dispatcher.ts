import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import inject from 'light-my-request';

export interface LoopbackRequest {
  method: string;
  url: string;
  /** Forwarded as the caller sent them (Authorization above all). */
  headers: Record<string, string>;
  body?: unknown;
  /** The original caller's address, so rate limits and audit rows name them, not loopback. */
  remoteAddress: string | undefined;
}

export interface LoopbackResponse {
  status: number;
  contentType: string;
  body: string;
  /** The raw bytes, for answers that are not text (artifact downloads). */
  rawBody: Buffer;
}

/**
 * Sends a request through this app's own HTTP server without a socket: the same middleware,
 * global guard, rate limits, validation, handlers, audit and problem filter as a request from the
 * network, because it is handed to the server's `request` listeners like one (light-my-request
 * builds the request and response objects). MCP tool calls go through here, so a tool can never
 * do what the same token cannot do over HTTP.
 */
@Injectable()
export class LoopbackDispatcher {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async dispatch(request: LoopbackRequest): Promise<LoopbackResponse> {
    const server = this.adapterHost.httpAdapter.getHttpServer() as {
      emit(event: 'request', req: IncomingMessage, res: ServerResponse): boolean;
    };
    const hasBody = request.body !== undefined;
    const response = await inject((req, res) => server.emit('request', pinned(req), pinned(res)), {
      method: request.method as 'GET',
      url: request.url,
      headers: {
        ...request.headers,
        accept: 'application/json, */*;q=0.5',
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
      },
      ...(hasBody ? { payload: JSON.stringify(request.body) } : {}),
      ...(request.remoteAddress ? { remoteAddress: request.remoteAddress } : {}),
    });
    return {
      status: response.statusCode,
      contentType: String(response.headers['content-type'] ?? ''),
      body: response.body,
      rawBody: response.rawPayload,
    };
  }
}

/**
 * Express re-parents every request and response onto its own prototypes, which would drop the
 * methods light-my-request captures the answer with (`write`, `end`, `writeHead`, …). Copied onto
 * the objects themselves, they survive that.
 */
function pinned<T extends object>(target: T): T {
  const proto = Object.getPrototypeOf(target) as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const value = proto[name];
    if (name !== 'constructor' && typeof value === 'function' && !Object.hasOwn(target, name))
      Object.defineProperty(target, name, { value, writable: true, configurable: true });
  }
  return target;
}
