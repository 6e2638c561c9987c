import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DataSource, EntityManager } from 'typeorm';

export interface ClaimOptions {
  /** A table with the lease columns `run_at`, `lease_owner`, `lease_expires_at`, `attempts`. */
  table: string;
  /** Who holds the lease (`workerId()`), for the logs and for a worker to find its own claims. */
  worker: string;
  limit: number;
  /** How long the claim holds; a worker that dies mid-job frees it when this runs out. */
  leaseMs: number;
  now: Date;
  /** An extra SQL condition, e.g. `status = 'pending'`; its parameters are `$1`, `$2`, … */
  where?: string;
  params?: readonly unknown[];
  /** Default `run_at`: the longest-due job first. */
  orderBy?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Claims up to `limit` due jobs for one worker: due means `run_at <= now` and no live lease.
 * `FOR UPDATE SKIP LOCKED` lets any number of workers in any number of instances claim at once
 * without waiting for or double-claiming each other; the lease (not a held transaction) is what
 * keeps the claim, so a worker killed with `kill -9` loses nothing: its jobs become due again
 * when the lease runs out, with `attempts` counting the try. Handlers must therefore tolerate
 * a repeat (idempotency keys wherever the outside world is involved).
 *
 * (`= ANY(ARRAY(subquery))` rather than `IN (subquery)`: the planner may not re-run the locking
 * subquery, so exactly the locked rows are leased.)
 *
 * Returns the claimed rows as the database has them (snake_case), `attempts` already counting
 * this claim. Finishing a job (a status, clearing the lease, a new `run_at`) is the caller's own
 * UPDATE. Runs as one statement, so it needs no transaction of its own.
 */
export async function claimDueJobs<Row = Record<string, unknown>>(
  db: DataSource | EntityManager,
  options: ClaimOptions,
): Promise<Row[]> {
  if (!IDENTIFIER.test(options.table)) throw new Error(`Not a table name: ${options.table}`);
  const extra = options.params ?? [];
  const n = extra.length;
  const now = `$${n + 1}::timestamptz`;
  const sql = `
    UPDATE "${options.table}" AS job
       SET lease_owner = $${n + 2},
           lease_expires_at = ${now} + ($${n + 3}::int * interval '1 millisecond'),
           attempts = job.attempts + 1
     WHERE job.ctid = ANY(ARRAY(
       SELECT ctid FROM "${options.table}"
        WHERE run_at <= ${now}
          AND (lease_expires_at IS NULL OR lease_expires_at <= ${now})
          ${options.where ? `AND (${options.where})` : ''}
        ORDER BY ${options.orderBy ?? 'run_at'}
        LIMIT $${n + 4}
        FOR UPDATE SKIP LOCKED))
    RETURNING job.*`;
  const result: unknown = await db.query(sql, [
    ...extra,
    options.now.toISOString(),
    options.worker,
    options.leaseMs,
    options.limit,
  ]);
  // TypeORM answers an UPDATE … RETURNING on PostgreSQL with [rows, affectedCount].
  const rows = Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result;
  return rows as Row[];
}

const PROCESS_WORKER = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** A name unique to this process, for `lease_owner`. */
export function workerId(): string {
  return PROCESS_WORKER;
}
