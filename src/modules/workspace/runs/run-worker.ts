import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, PollingLoop } from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { claimDueJobs, workerId } from '../../../database/index.js';
import { BindingsService } from '../bindings/bindings.service.js';
import { WorkspaceController } from '../controller/workspace-controller.js';
import { RunAborts } from './run-aborts.js';
import { returnedRows, RunsService } from './runs.service.js';

/** A claimed row of automation_runs, as claimDueJobs returns it. */
interface ClaimedRun {
  id: string;
  post_id: string;
  owner_id: string;
  status: 'QUEUED' | 'RUNNING';
  prompt: string;
  workload_profile: string;
  attempts: number;
  deadline_at: Date | string | null;
}

/**
 * The lease holder of a run an outside controller accepted: no worker of ours holds it, and the
 * lease lasts until the run's deadline, when it is claimed again only to be timed out (unless the
 * controller reported its end first).
 */
const ACCEPTED = 'controller';

/**
 * Executes automation runs from the durable queue (the `automation_runs` claim columns, claimed
 * with `claimDueJobs` and `FOR UPDATE SKIP LOCKED`), up to WORKSPACE_RUN_CONCURRENCY at once per
 * instance. A claim is a lease renewed while the run executes; a worker killed mid-run stops
 * renewing, and when the lease runs out any instance claims the run again: it is retried (the
 * controller's executeRun is idempotent per run id) until WORKSPACE_RUN_MAX_ATTEMPTS claims, then
 * TIMED_OUT, and TIMED_OUT in any case once it has been RUNNING past WORKSPACE_RUN_TIMEOUT_MS.
 * So no run stays RUNNING forever and none is lost across a restart.
 */
@Injectable()
export class RunWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('WorkspaceRunWorker');
  private readonly worker = workerId();
  private readonly executing = new Set<Promise<void>>();
  private readonly loop: PollingLoop;
  private running = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly controller: WorkspaceController,
    private readonly runs: RunsService,
    private readonly bindings: BindingsService,
    private readonly aborts: RunAborts,
  ) {
    this.loop = new PollingLoop({
      name: 'workspace-runs',
      intervalMs: config.eventsPollMs,
      tick: () => this.claimAndStart(),
      onError: (err) => this.log.error({ err }, 'run worker tick failed'),
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.backgroundWork) return;
    this.running = true;
    this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    await this.loop.stop();
    // Waiting for executions in flight would hold shutdown for as long as a run takes: they are
    // aborted and left RUNNING under their lease, which runs out and lets any instance retry them.
    this.aborts.abortAll();
    await Promise.allSettled([...this.executing]);
  }

  /** Claims what this instance has room for and starts executing it; returns how many. */
  async claimAndStart(): Promise<number> {
    const room = this.config.workspace.runConcurrency - this.executing.size;
    if (room <= 0) return 0;
    const claimed = await claimDueJobs<ClaimedRun>(this.db, {
      table: 'automation_runs',
      worker: this.worker,
      limit: room,
      leaseMs: this.config.workspace.runLeaseMs,
      now: this.clock.now(),
      where: `status IN ('QUEUED', 'RUNNING')`,
    });
    for (const row of claimed) {
      const done = this.process(row)
        .catch((err: unknown) => this.log.error({ runId: row.id, err }, 'run processing failed'))
        .finally(() => {
          this.executing.delete(done);
          // A slot is free: look for the next run now rather than after the idle interval.
          if (this.running) void this.loop.runNow();
        });
      this.executing.add(done);
    }
    return claimed.length;
  }

  /** Claims and executes every due run, waiting for each (tests and the benchmark). */
  async drain(): Promise<void> {
    for (;;) {
      await this.loop.runNow();
      if (!this.executing.size) return;
      await Promise.allSettled([...this.executing]);
    }
  }

  private async process(row: ClaimedRun): Promise<void> {
    const now = this.clock.now();
    const { runTimeoutMs, runMaxAttempts } = this.config.workspace;
    if (row.status === 'RUNNING') {
      // Claimed again: its worker died (lease ran out), or an outside controller's deadline came.
      const deadline = row.deadline_at ? new Date(row.deadline_at) : now;
      if (deadline <= now || row.attempts > runMaxAttempts) {
        await this.runs.finish(row.id, ['RUNNING'], {
          status: 'TIMED_OUT',
          error:
            deadline <= now
              ? `The run did not finish within ${runTimeoutMs} ms.`
              : `The run's worker was lost ${row.attempts - 1} times.`,
        });
        return;
      }
    } else {
      const started = returnedRows<{ id: string }>(
        await this.db.query(
          `UPDATE automation_runs SET status = 'RUNNING', started_at = $2, deadline_at = $3
            WHERE id = $1 AND status = 'QUEUED' AND lease_owner = $4 RETURNING id`,
          [
            row.id,
            now.toISOString(),
            new Date(now.getTime() + runTimeoutMs).toISOString(),
            this.worker,
          ],
        ),
      );
      if (!started.length) return; // cancelled between the claim and now
      row.deadline_at = new Date(now.getTime() + runTimeoutMs);
    }
    await this.execute(row, new Date(row.deadline_at!));
  }

  private async execute(row: ClaimedRun, deadline: Date): Promise<void> {
    const abort = this.aborts.track(row.id);
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        abort.abort(new Error('timed out'));
      },
      Math.max(0, deadline.getTime() - this.clock.now().getTime()),
    );
    const renew = setInterval(
      () => void this.renewLease(row.id),
      Math.max(50, Math.floor(this.config.workspace.runLeaseMs / 3)),
    );
    try {
      const execution = await this.controller.executeRun({
        runId: row.id,
        attempt: row.attempts,
        postId: row.post_id,
        runAs: row.owner_id,
        prompt: row.prompt,
        workloadProfile: row.workload_profile,
        bindings: await this.bindings.forController(row.post_id),
        signal: abort.signal,
      });
      if (execution.kind === 'accepted') {
        // It runs elsewhere; the controller reports back. Due again only at its deadline.
        await this.db.query(
          `UPDATE automation_runs SET run_at = deadline_at, lease_owner = $2, lease_expires_at = deadline_at
            WHERE id = $1 AND status = 'RUNNING'`,
          [row.id, ACCEPTED],
        );
        return;
      }
      await this.runs.finish(row.id, ['RUNNING'], {
        status: execution.state,
        output: execution.output ?? null,
        error: execution.state === 'FAILED' ? (execution.error ?? 'The run failed.') : null,
      });
    } catch (err) {
      if (timedOut) {
        await this.runs.finish(row.id, ['RUNNING'], {
          status: 'TIMED_OUT',
          error: `The run did not finish within ${this.config.workspace.runTimeoutMs} ms.`,
        });
      } else if (!abort.signal.aborted) {
        // The controller could not be reached: retried by the next claim, up to the attempt cap.
        this.log.warn({ runId: row.id, err }, 'run execution failed');
        await this.retryLater(row);
      }
      // Aborted by a cancel: the run is already CANCELLED.
    } finally {
      clearTimeout(timer);
      clearInterval(renew);
      this.aborts.release(row.id);
    }
  }

  private async retryLater(row: ClaimedRun): Promise<void> {
    if (row.attempts >= this.config.workspace.runMaxAttempts) {
      await this.runs.finish(row.id, ['RUNNING'], {
        status: 'FAILED',
        error: `The workspace controller could not run it after ${row.attempts} attempts.`,
      });
      return;
    }
    const backoffMs = Math.min(60_000, 1000 * 2 ** row.attempts);
    await this.db.query(
      `UPDATE automation_runs SET run_at = $2, lease_owner = NULL, lease_expires_at = NULL
        WHERE id = $1 AND status = 'RUNNING'`,
      [row.id, new Date(this.clock.now().getTime() + backoffMs).toISOString()],
    );
  }

  private async renewLease(runId: string): Promise<void> {
    const until = new Date(this.clock.now().getTime() + this.config.workspace.runLeaseMs);
    await this.db
      .query(
        `UPDATE automation_runs SET lease_expires_at = $3
          WHERE id = $1 AND lease_owner = $2 AND status = 'RUNNING'`,
        [runId, this.worker, until.toISOString()],
      )
      .catch((err: unknown) => this.log.warn({ runId, err }, 'run lease renewal failed'));
  }
}
