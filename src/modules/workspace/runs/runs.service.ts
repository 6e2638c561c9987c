import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type Repository } from 'typeorm';
import { Clock, type Page, pageByCreation, ProblemException } from '../../../common/index.js';
import { DomainEvents } from '../../../events/index.js';
import { WorkspaceController } from '../controller/workspace-controller.js';
import { WorkspacePosts } from '../workspace-posts.js';
import { AutomationRunEntity, type RunStatus, type RunTrigger } from './automation-run.entity.js';
import { RunAborts } from './run-aborts.js';
import type {
  CreateRunDto,
  RunDto,
  RunEventAckDto,
  RunEventDto,
  RunListQueryDto,
} from './runs.dto.js';
import { TokenResources } from '../../../access/token-resources.js';

/** A run to queue: from the API, or from a rule's trigger. */
export interface NewRun {
  postId: string;
  ownerId: string;
  triggerType: RunTrigger;
  ruleId: string | null;
  prompt: string;
  workloadProfile: string;
  idempotencyKey?: string;
  requestDigest?: string;
}

/** Terminal outcomes a worker or a controller report can set. */
export type RunOutcome = {
  status: Extract<RunStatus, 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT'>;
  output?: string | null;
  error?: string | null;
};

/** UPDATE … RETURNING through TypeORM on PostgreSQL answers [rows, count]. */
export function returnedRows<T>(result: unknown): T[] {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}

@Injectable()
export class RunsService {
  private readonly log = new Logger('WorkspaceRuns');

  constructor(
    @InjectRepository(AutomationRunEntity) private readonly runs: Repository<AutomationRunEntity>,
    private readonly db: DataSource,
    private readonly posts: WorkspacePosts,
    private readonly controller: WorkspaceController,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
    private readonly aborts: RunAborts,
  ) {}

  /**
   * Queues a run, once per (caller, idempotency key): a repeat with the same body returns the run
   * the key made, whatever its state now; a different body is refused and changes nothing.
   */
  async create(callerId: string, input: CreateRunDto): Promise<RunDto> {
    const post = await this.posts.ownPost(input.postId, callerId);
    const digest = createHash('sha256')
      .update(JSON.stringify([input.postId, input.prompt]), 'utf8')
      .digest('hex');
    const id = await this.enqueue(this.db.manager, {
      postId: post.id,
      ownerId: post.authorId,
      triggerType: 'API',
      ruleId: null,
      prompt: input.prompt,
      workloadProfile: 'small',
      idempotencyKey: input.idempotencyKey,
      requestDigest: digest,
    });
    const run =
      id !== null
        ? await this.runs.findOneByOrFail({ id })
        : await this.runs.findOneByOrFail({
            ownerId: post.authorId,
            idempotencyKey: input.idempotencyKey,
          });
    if (run.requestDigest !== digest)
      throw new ProblemException({
        code: 'idempotency_key_reused',
        detail: `The idempotency key "${input.idempotencyKey}" was already used with a different request body; nothing was queued.`,
      });
    return this.view(run);
  }

  /**
   * Inserts a QUEUED run in `manager`'s transaction, due now. Returns its id, or null when the
   * owner already has a run with that idempotency key.
   */
  async enqueue(manager: EntityManager, run: NewRun): Promise<string | null> {
    const now = this.clock.now().toISOString();
    const rows = returnedRows<{ id: string }>(
      await manager.query(
        `INSERT INTO automation_runs
           (post_id, owner_id, trigger_type, rule_id, status, prompt, workload_profile,
            idempotency_key, request_digest, controller, created_at, run_at)
         VALUES ($1, $2, $3, $4, 'QUEUED', $5, $6, $7, $8, $9, $10, $10)
         ON CONFLICT (owner_id, idempotency_key) DO NOTHING
         RETURNING id`,
        [
          run.postId,
          run.ownerId,
          run.triggerType,
          run.ruleId,
          run.prompt,
          run.workloadProfile,
          run.idempotencyKey ?? null,
          run.requestDigest ?? null,
          this.controller.label,
          now,
        ],
      ),
    );
    return rows[0]?.id ?? null;
  }

  async get(callerId: string, runId: string): Promise<RunDto> {
    return this.view(await this.own(callerId, runId));
  }

  async list(callerId: string, query: RunListQueryDto): Promise<Page<RunDto>> {
    if (query.postId) await this.posts.ownPost(query.postId, callerId);
    const qb = this.runs.createQueryBuilder('r').where('r.owner_id = :callerId', { callerId });
    if (query.postId) qb.andWhere('r.post_id = :postId', { postId: query.postId });
    TokenResources.narrowList(qb, 'r.post_id');
    if (query.status) qb.andWhere('r.status = :status', { status: query.status });
    return pageByCreation(qb, query, (row) => this.view(row));
  }

  /**
   * A QUEUED or RUNNING run ends CANCELLED at once; a RUNNING one is also stopped where it runs
   * (its worker's execution is aborted; an outside controller is told, best effort).
   */
  async cancel(callerId: string, runId: string): Promise<RunDto> {
    const run = await this.own(callerId, runId);
    const now = this.clock.now().toISOString();
    const rows = returnedRows<{ id: string }>(
      await this.db.query(
        `UPDATE automation_runs
            SET status = 'CANCELLED', finished_at = $2, lease_owner = NULL, lease_expires_at = NULL
          WHERE id = $1 AND status IN ('QUEUED', 'RUNNING')
          RETURNING id`,
        [run.id, now],
      ),
    );
    if (!rows.length)
      throw new ProblemException({
        code: 'run_finished',
        detail: `The run already ended ${run.status}; there is nothing to cancel.`,
      });
    if (run.status === 'RUNNING') {
      this.aborts.abort(run.id);
      this.controller
        .cancelRun(run.id)
        .catch((err: unknown) => this.log.warn({ runId: run.id, err }, 'controller cancel failed'));
    }
    return this.view(await this.runs.findOneByOrFail({ id: run.id }));
  }

  /** A controller's progress report (internal route). */
  async report(runId: string, event: RunEventDto): Promise<RunEventAckDto> {
    const run = await this.runs.findOneBy({ id: runId });
    if (!run) throw ProblemException.notFound('No such run.');
    if (event.state === 'RUNNING') {
      if (run.status !== 'RUNNING')
        throw this.reportConflict(run.status, 'progress for a run that is not RUNNING');
      if (event.output !== undefined)
        await this.runs.update({ id: runId, status: 'RUNNING' }, { output: event.output });
      return { id: runId, status: 'RUNNING' };
    }
    const ended = await this.finish(runId, ['RUNNING'], {
      status: event.state,
      output: event.output ?? null,
      error:
        event.state === 'FAILED' ? (event.error ?? 'The controller reported a failure.') : null,
    });
    if (ended) return { id: runId, status: event.state };
    const now = await this.runs.findOneByOrFail({ id: runId });
    // The same report again (a controller retrying) is acknowledged; a contradicting one is not.
    if (now.status === event.state) return { id: runId, status: now.status };
    throw this.reportConflict(now.status, `a ${event.state} report`);
  }

  /**
   * Moves a run to its end state if it is still in one of `from`, recording
   * `automation_run.succeeded` / `.failed` in the same transaction. False when it had already
   * moved on (cancelled meanwhile, finished by another report): the caller's outcome is dropped.
   */
  async finish(runId: string, from: RunStatus[], outcome: RunOutcome): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      const now = this.clock.now();
      const rows = returnedRows<{
        id: string;
        post_id: string;
        owner_id: string;
        rule_id: string | null;
        trigger_type: RunTrigger;
        attempts: number;
      }>(
        await manager.query(
          `UPDATE automation_runs
              SET status = $2, output = COALESCE($3, output), error = $4, finished_at = $5,
                  lease_owner = NULL, lease_expires_at = NULL
            WHERE id = $1 AND status = ANY($6::text[])
            RETURNING id, post_id, owner_id, rule_id, trigger_type, attempts`,
          [
            runId,
            outcome.status,
            outcome.output ?? null,
            outcome.error ?? null,
            now.toISOString(),
            from,
          ],
        ),
      );
      const row = rows[0];
      if (!row) return false;
      await this.events.record(
        manager,
        outcome.status === 'SUCCEEDED' ? 'automation_run.succeeded' : 'automation_run.failed',
        {
          runId: row.id,
          postId: row.post_id,
          ruleId: row.rule_id,
          trigger: row.trigger_type,
          status: outcome.status,
          attempts: row.attempts,
          finishedAt: now.toISOString(),
        },
        { recipients: [row.owner_id] },
      );
      return true;
    });
  }

  private reportConflict(status: RunStatus, what: string): ProblemException {
    return new ProblemException({
      code: 'run_finished',
      detail: `The run is ${status}; ${what} does not apply.`,
    });
  }

  /** The caller's run; anyone else's is a 404. */
  private async own(callerId: string, runId: string): Promise<AutomationRunEntity> {
    const run = await this.runs.findOneBy({ id: runId, ownerId: callerId });
    if (!run) throw ProblemException.notFound('No such run.');
    TokenResources.assertPost(run.postId, 'No such run.');
    return run;
  }

  view(row: AutomationRunEntity): RunDto {
    return {
      id: row.id,
      postId: row.postId,
      status: row.status,
      trigger: { type: row.triggerType, ruleId: row.ruleId },
      prompt: row.prompt,
      workloadProfile: row.workloadProfile,
      idempotencyKey: row.idempotencyKey,
      controller: row.controller,
      output: row.output,
      error: row.error,
      attempts: row.attempts,
      createdAt: row.createdAt.toISOString(),
      startedAt: row.startedAt?.toISOString() ?? null,
      finishedAt: row.finishedAt?.toISOString() ?? null,
    };
  }
}
