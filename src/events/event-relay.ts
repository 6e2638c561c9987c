import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { errorForLog } from '../common/database-errors.js';
import { PollingLoop } from '../common/polling-loop.js';
import { type AppConfig, APP_CONFIG } from '../config/index.js';
import { claimDueJobs, workerId } from '../database/job-claims.js';
import type { RecordedDomainEvent } from './domain-event.js';
import { DomainEvents } from './domain-events.service.js';

interface DispatchRow {
  event_id: string;
  consumer: string;
  attempts: number;
}

interface EventRow {
  id: string;
  type: string;
  occurred_at: Date;
  recipients: string[];
  data: Record<string, unknown>;
}

const BATCH = 20;
/** A handler is database work; one that takes this long is stuck, and another worker may retry. */
const LEASE_MS = 60_000;

/** Retry delay after the n-th failed attempt: 1 s, 2 s, 4 s, … capped at 10 minutes. */
export function dispatchBackoffMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), 10 * 60_000);
}

/**
 * Hands committed events to their consumers: claims due dispatches (several instances share the
 * work through `claimDueJobs`), runs each consumer's handler in a transaction that deletes the
 * dispatch, and reschedules a failed one with backoff. Runs only where `BACKGROUND_WORK` is on.
 */
@Injectable()
export class EventRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('EventRelay');
  private readonly loop: PollingLoop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loop = new PollingLoop({
      name: 'event-relay',
      intervalMs: config.eventsPollMs,
      tick: () => this.dispatchDue(),
      onError: (err) => this.logger.error({ err: errorForLog(err) }, 'Event relay tick failed'),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.backgroundWork) this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
  }

  /** Handles every dispatch due now (tests; works whether or not the loop runs). */
  async drain(): Promise<void> {
    await this.loop.runNow();
  }

  /** One batch: returns how many dispatches it handled or rescheduled. */
  private async dispatchDue(): Promise<number> {
    const claimed = await claimDueJobs<DispatchRow>(this.dataSource, {
      table: 'domain_event_dispatches',
      worker: workerId(),
      limit: BATCH,
      leaseMs: LEASE_MS,
      now: this.clock.now(),
    });
    for (const dispatch of claimed) await this.dispatch(dispatch);
    return claimed.length;
  }

  private async dispatch(dispatch: DispatchRow): Promise<void> {
    const consumer = this.events.consumer(dispatch.consumer);
    try {
      if (!consumer) throw new Error(`No consumer ${dispatch.consumer} in this process`);
      await this.dataSource.transaction(async (manager) => {
        const [row] = await manager.query<EventRow[]>(
          'SELECT id, type, occurred_at, recipients, data FROM domain_events WHERE id = $1',
          [dispatch.event_id],
        );
        // Deleting first, under the lease, also tells us another worker has not finished it
        // meanwhile (lease expired and re-claimed): then there is nothing left to do.
        const deleted: unknown = await manager.query(
          'DELETE FROM domain_event_dispatches WHERE event_id = $1 AND consumer = $2',
          [dispatch.event_id, dispatch.consumer],
        );
        if (!row || affected(deleted) === 0) return;
        const event: RecordedDomainEvent = {
          id: row.id,
          type: row.type,
          occurredAt: new Date(row.occurred_at),
          recipients: row.recipients,
          data: row.data,
        };
        await consumer.handler(event, manager);
      });
    } catch (err) {
      const retryAt = new Date(this.clock.now().getTime() + dispatchBackoffMs(dispatch.attempts));
      this.logger.warn(
        { err: errorForLog(err), eventId: dispatch.event_id, consumer: dispatch.consumer },
        'Domain event handler failed; retrying later',
      );
      await this.dataSource.query(
        `UPDATE domain_event_dispatches
            SET run_at = $3, lease_owner = NULL, lease_expires_at = NULL, last_error = $4
          WHERE event_id = $1 AND consumer = $2`,
        [dispatch.event_id, dispatch.consumer, retryAt.toISOString(), describe(err)],
      );
    }
  }
}

function affected(result: unknown): number {
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}

function describe(err: unknown): string {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return message.slice(0, 500);
}
