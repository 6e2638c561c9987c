import type { Request, Response } from 'express';
import { ERROR_CODES, type ErrorCode } from './error-codes.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  instance?: string;
  [extension: string]: unknown;
}

/** Stable, absolute problem type URIs; they point at the error table in the live catalog. */
export function problemTypeUri(publicBaseUrl: string, code: ErrorCode): string {
  return `${publicBaseUrl}/api/programmatic/catalog#error-${code}`;
}

/**
 * Writes one RFC 9457 problem. Both the Nest exception filter and the Express error middleware
 * (body-parser failures happen before Nest routing) answer through here.
 */
export function sendProblem(
  req: Request,
  res: Response,
  publicBaseUrl: string,
  problem: {
    status: number;
    code: ErrorCode;
    detail: string;
    extensions?: Record<string, unknown>;
    headers?: Record<string, string>;
  },
): void {
  const requestId = requestIdOf(req);
  const body: ProblemBody = {
    ...(problem.extensions ?? {}),
    type: problemTypeUri(publicBaseUrl, problem.code),
    title: ERROR_CODES[problem.code].title,
    status: problem.status,
    detail: problem.detail,
    code: problem.code,
    requestId,
  };
  for (const [name, value] of Object.entries(problem.headers ?? {})) res.setHeader(name, value);
  res.setHeader('X-Request-Id', requestId);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

export function requestIdOf(req: Request): string {
  const id = (req as Request & { id?: unknown }).id;
  return typeof id === 'string' ? id : 'unknown';
}
