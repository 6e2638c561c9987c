import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { Clock } from '../common/clock.js';
import { DomainEventRegistry, type RecordedDomainEvent } from './domain-event.js';

export type DomainEventHandler = (
  event: RecordedDomainEvent,
  manager: EntityManager,
) => Promise<void>;

export interface DomainEventConsumer {
  name: string;
  types: readonly string[] | '*';
  handler: DomainEventHandler;
  /**
   * Called (in this process, best effort) once a handled dispatch has committed: lets a consumer
   * start follow-up work now (e.g. send the deliveries it queued) rather than at its next poll.
   */
  afterCommit?: () => void;
}

const CONSUMER_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * The one way a module tells others that something happened (docs/architecture.md, DESIGN §8):
 * `record` writes the event and one dispatch per interested consumer into the caller's own
 * transaction, so an event rolled back never existed and a committed one is handled even if the
 * process dies right after the commit (`EventRelay` picks the dispatches up from the table).
 */
@Injectable()
export class DomainEvents {
  private readonly consumers = new Map<string, DomainEventConsumer>();

  constructor(
    private readonly registry: DomainEventRegistry,
    private readonly clock: Clock,
  ) {}

  /**
   * Records `type` in the transaction `manager` belongs to. `recipients` are the users the event
   * concerns (whose webhook endpoints may receive it): `data` must hold only what each of them
   * may read. An undeclared type is a programming error and throws.
   */
  async record(
    manager: EntityManager,
    type: string,
    data: Record<string, unknown>,
    options: { recipients: readonly string[] },
  ): Promise<string> {
    if (!this.registry.get(type)) throw new Error(`Domain event type ${type} is not declared`);
    // A connection the server cut mid-transaction leaves a released runner: that is the database
    // being unavailable (503), not a misuse of this service.
    if (manager.queryRunner?.isReleased) throw new QueryRunnerAlreadyReleasedError();
    if (!manager.queryRunner?.isTransactionActive) {
      // Outside a transaction the event could commit without its change, or the reverse.
      throw new Error(`Domain event ${type} must be recorded inside the change's transaction`);
    }
    const id = randomUUID();
    const now = this.clock.now();
    await manager.query(
      'INSERT INTO domain_events (id, type, occurred_at, recipients, data) VALUES ($1, $2, $3, $4, $5)',
      [id, type, now.toISOString(), [...new Set(options.recipients)], data],
    );
    const consumers = this.consumersOf(type);
    if (consumers.length > 0) {
      await manager.query(
        `INSERT INTO domain_event_dispatches (event_id, consumer, run_at)
         SELECT $1, consumer, $2 FROM unnest($3::text[]) AS consumer`,
        [id, now.toISOString(), consumers],
      );
    }
    return id;
  }

  /**
   * Registers a consumer (in `onModuleInit`, before any request). Its handler runs once per
   * matching event committed from then on, in a transaction that also retires the dispatch:
   * the handler's database writes happen exactly once. A throw rolls them back and the dispatch
   * is retried with backoff.
   */
  subscribe(
    name: string,
    types: readonly string[] | '*',
    handler: DomainEventHandler,
    options: Pick<DomainEventConsumer, 'afterCommit'> = {},
  ): void {
    if (!CONSUMER_NAME.test(name)) throw new Error(`Bad consumer name ${name}`);
    if (this.consumers.has(name)) throw new Error(`Consumer ${name} subscribed twice`);
    this.consumers.set(name, { name, types, handler, afterCommit: options.afterCommit });
  }

  consumer(name: string): DomainEventConsumer | undefined {
    return this.consumers.get(name);
  }

  private consumersOf(type: string): string[] {
    return [...this.consumers.values()]
      .filter((c) => c.types === '*' || c.types.includes(type))
      .map((c) => c.name);
  }
}
