import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock, PollingLoop } from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { DomainEvents, type RecordedDomainEvent } from '../../../events/index.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { InboundHooksService } from './inbound-hooks.service.js';
import { RuleFiringService } from './rule-firing.service.js';
import { latestTick, nextTick } from './schedule.js';

/** The outbox consumer that turns purchases into PURCHASE_SUCCEEDED firings. */
export const PURCHASE_CONSUMER = 'workspace-automation';
const HOUSEKEEPING_MS = 30_000;
const SCHEDULE_BATCH = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The triggers that come from time and from other modules:
 *
 * - SCHEDULE: a polling loop takes enabled rules whose `next_fire_at` is due, locked with
 *   `FOR UPDATE SKIP LOCKED` (instances share the work without waiting on each other), fires each
 *   once for its latest due tick — dedupe key `tick:<ISO>`, unique per rule, so even two instances
 *   racing on one tick fire it once — and re-arms `next_fire_at` to the next tick after now.
 *   Ticks missed while no instance ran collapse into that one firing.
 * - PURCHASE_SUCCEEDED: a consumer of `purchase.succeeded` from the domain-event outbox (Billing
 *   records it); each enabled rule of the event's post fires once per event (dedupe key: event id).
 *   The subscription does not depend on the type being declared: without Billing it never fires.
 * - Housekeeping: expired sessions are stopped and marked, old hook signatures forgotten.
 */
@Injectable()
export class AutomationTriggers implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('WorkspaceAutomation');
  private readonly schedules: PollingLoop;
  private readonly housekeeping: PollingLoop;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
    private readonly firing: RuleFiringService,
    private readonly hooks: InboundHooksService,
    private readonly sessions: SessionsService,
  ) {
    const onError = (what: string) => (err: unknown) => this.log.error({ err }, `${what} failed`);
    this.schedules = new PollingLoop({
      name: 'workspace-schedules',
      intervalMs: config.workspace.schedulePollMs,
      tick: () => this.fireDueSchedules(),
      onError: onError('schedule tick'),
    });
    this.housekeeping = new PollingLoop({
      name: 'workspace-housekeeping',
      intervalMs: HOUSEKEEPING_MS,
      tick: async () => {
        await this.hooks.sweep();
        await this.sessions.sweepExpired();
        return 0; // once per interval is enough
      },
      onError: onError('workspace housekeeping'),
    });
  }

  onModuleInit(): void {
    this.events.subscribe(PURCHASE_CONSUMER, ['purchase.succeeded'], (event, manager) =>
      this.onPurchase(event, manager),
    );
  }

  onApplicationBootstrap(): void {
    if (!this.config.backgroundWork) return;
    this.schedules.start();
    this.housekeeping.start();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.schedules.stop(), this.housekeeping.stop()]);
  }

  /** Runs schedule ticks until nothing is due (tests drive it with a moved clock). */
  runSchedulesNow(): Promise<void> {
    return this.schedules.runNow();
  }

  /** One batch of due SCHEDULE rules, in one transaction; returns how many fired or re-armed. */
  async fireDueSchedules(): Promise<number> {
    const now = this.clock.now();
    return this.db.transaction(async (manager) => {
      const due = await manager.query<{ id: string; cron: string; timezone: string }[]>(
        `SELECT id, cron, timezone FROM automation_rules
          WHERE trigger_type = 'SCHEDULE' AND enabled AND next_fire_at <= $1
          ORDER BY next_fire_at LIMIT $2
          FOR UPDATE SKIP LOCKED`,
        [now.toISOString(), SCHEDULE_BATCH],
      );
      for (const rule of due) {
        const tick = latestTick(rule.cron, rule.timezone, now);
        await this.firing.fire(manager, rule.id, `tick:${tick.toISOString()}`, {
          tick: tick.toISOString(),
        });
        await manager.query('UPDATE automation_rules SET next_fire_at = $2 WHERE id = $1', [
          rule.id,
          nextTick(rule.cron, rule.timezone, now).toISOString(),
        ]);
      }
      return due.length;
    });
  }

  private async onPurchase(event: RecordedDomainEvent, manager: EntityManager): Promise<void> {
    const postId = event.data.postId;
    // Billing's payload names a post id; anything else names no rule (and must not fail the cast).
    if (typeof postId !== 'string' || !UUID.test(postId)) return;
    const rules = await manager.query<{ id: string }[]>(
      `SELECT id FROM automation_rules
        WHERE post_id = $1 AND trigger_type = 'PURCHASE_SUCCEEDED' AND enabled
        ORDER BY created_at`,
      [postId],
    );
    for (const rule of rules)
      await this.firing.fire(manager, rule.id, `event:${event.id}`, {
        event: { id: event.id, type: event.type, ...event.data },
      });
  }
}
