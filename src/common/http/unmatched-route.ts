import type { RequestHandler } from 'express';
import { sendProblem } from '../problems/index.js';

/**
 * Mounted after every router: a path nothing served (outside /api too, where Nest's own 404
 * handler does not reach) is a problem+json 404 like any other, not Express's HTML page.
 */
export function unmatchedRouteHandler(publicBaseUrl: string): RequestHandler {
  return (req, res) =>
    sendProblem(req, res, publicBaseUrl, {
      status: 404,
      code: 'not_found',
      detail: `No route matches ${req.method} ${req.originalUrl.split('?')[0]}.`,
    });
}
