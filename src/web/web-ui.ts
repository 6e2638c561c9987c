import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { CredentialStore, SESSION_COOKIE } from '../access/credentials.js';

/** The sources live beside this file; the compiled server (dist/src/web) finds them in src/web. */
const PUBLIC_DIR = [
  resolve(import.meta.dirname, 'public'),
  resolve(import.meta.dirname, '../../../src/web/public'),
].find((dir) => existsSync(join(dir, 'app.js')));

/** Stricter than the API's policy: no inline script or style at all. */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/**
 * The small built-in browser UI: sign-in and Settings → API. Static pages and one script, served
 * by a router in front of Nest's: they hold no data and are not API routes (so not in the
 * catalog). Everything they show comes from the JSON API with the session cookie and
 * X-CSRF-Token, like any other client.
 */
export function mountWebUi(app: NestExpressApplication): void {
  if (!PUBLIC_DIR) throw new Error('The web UI assets (src/web/public) are missing');
  const login = readFileSync(join(PUBLIC_DIR, 'login.html'));
  const settingsApi = readFileSync(join(PUBLIC_DIR, 'settings-api.html'));
  const sendPage = (res: Response, html: Buffer) => {
    res.setHeader('Content-Security-Policy', PAGE_CSP);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(html);
  };

  const router = express.Router();
  router.use(
    '/assets',
    express.static(PUBLIC_DIR, {
      index: false,
      maxAge: '5m',
      setHeaders: (res) => res.setHeader('Content-Security-Policy', PAGE_CSP),
    }),
  );
  router.get('/login', (_req: Request, res: Response) => sendPage(res, login));
  router.get('/settings/api', (_req: Request, res: Response) => sendPage(res, settingsApi));
  router.get('/', (req: Request, res: Response, next: NextFunction) => {
    const cookie = (req.cookies as Record<string, string | undefined>)[SESSION_COOKIE];
    if (!cookie) return res.redirect(303, '/login');
    app
      .get(CredentialStore)
      .resolveSession(cookie)
      .then(
        (session) => res.redirect(303, session ? '/settings/api' : '/login'),
        (error: unknown) => next(error),
      );
  });
  // The pages live outside /api: API requests (nearly all traffic) skip the UI router's layers.
  app.use((req: Request, res: Response, next: NextFunction) =>
    req.url.startsWith('/api/') ? next() : router(req, res, next),
  );
}
