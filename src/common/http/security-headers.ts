import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's headers, worked out once at boot and then set on every response in one loop.
 *
 * With static options (no per-request nonce) helmet writes the same headers on every response,
 * yet as a dozen small middlewares re-run per request. Running it once against a recording
 * response gives the exact list it would write; `test/security-headers.e2e-spec.ts` compares the
 * app's responses with helmet's own.
 */
export function securityHeaders(options: HelmetOptions): RequestHandler {
  const headers = helmetHeaders(options);
  return (_req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/** The headers helmet sets with these options, in its order. */
export function helmetHeaders(options: HelmetOptions): [string, string][] {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) =>
      headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
    getHeader: (name: string) => headers.get(name),
  };
  let finished = false;
  helmet(options)({} as never, recorder as never, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error('helmet failed');
    finished = true;
  });
  // Helmet's middlewares are synchronous; if a version ever is not, fail at boot, not silently.
  if (!finished) throw new Error('helmet did not finish synchronously; cannot precompute headers');
  return [...headers];
}
