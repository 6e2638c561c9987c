import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';

/**
 * Nest's Express adapter, with one change: the HTTP server builds each request and response
 * with Express's prototypes already in place.
 *
 * Express gives every request its methods with `Object.setPrototypeOf(req, app.request)` (and the
 * same for `res`). On Node.js 20's V8 that per-object prototype change makes the young-generation
 * GC promote most of what a request allocated: every scavenge copied 8–20 MB and paused for
 * 10–25 ms, a sixth of a liveness request's CPU and more of a feed request's
 * (`node --trace-gc-nvp` under `npm run bench`: promoted ≈ 16 % of allocated, against 0 for plain
 * `node:http`). Built with the right prototype from the start, Express's `setPrototypeOf` finds
 * nothing to change and V8 returns at once. Node.js 24's V8 does not show the effect, and the
 * server behaves the same either way: same classes, same methods, same constructor code.
 */
export class PrototypedExpressAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    // HTTPS and Nest's shutdown options are handled by Nest's own code; the app uses neither.
    if (options.httpsOptions || options.return503OnClosing || options.forceCloseConnections)
      return super.initHttpServer(options);
    const app = this.getInstance<Express>();
    this.httpServer = createServer(
      {
        IncomingMessage: withPrototype(IncomingMessage, app.request),
        ServerResponse: withPrototype<typeof ServerResponse>(ServerResponse, app.response),
      },
      app,
    );
  }
}

/**
 * A constructor that runs `base`'s constructor on an object whose prototype is `prototype`
 * (which inherits from `base.prototype`, as Express's request and response objects do). Node
 * defines both classes as plain functions, so `base.call` constructs; `Reflect.construct` would
 * too, but measured 5× slower per request. Should Node ever make them ES classes, which cannot be
 * called, `base` is used as it is and Express sets the prototype itself, as before.
 */
function withPrototype<T extends abstract new (...args: never[]) => object>(
  base: T,
  prototype: object,
): T {
  if (Function.prototype.toString.call(base).startsWith('class')) return base;
  const construct = base as unknown as (this: object, first: unknown, second: unknown) => void;
  // Two arguments, as Node passes them (socket; request and options), without a rest spread.
  function Prototyped(this: object, first: unknown, second: unknown) {
    construct.call(this, first, second);
  }
  Prototyped.prototype = prototype;
  return Prototyped as unknown as T;
}
