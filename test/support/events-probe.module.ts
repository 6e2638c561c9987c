import { Module, type OnModuleInit } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import {
  DomainEvents,
  type RecordedDomainEvent,
  RegisterDomainEvents,
} from '../../src/events/index.js';

/** What the probe consumer saw, per test app (the module instance is per app). */
export class ProbeConsumerLog {
  readonly handled: RecordedDomainEvent[] = [];
  /** Event ids whose handler throws this many more times before succeeding. */
  readonly failuresLeft = new Map<string, number>();
}

/** Declares `probe.happened`, and a consumer that writes each event into `probe_handled`. */
@RegisterDomainEvents([
  {
    type: 'probe.happened',
    summary: 'A test probe event.',
    schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
  },
])
@Module({ providers: [ProbeConsumerLog], exports: [ProbeConsumerLog] })
export class EventsProbeModule implements OnModuleInit {
  constructor(
    private readonly events: DomainEvents,
    private readonly log: ProbeConsumerLog,
  ) {}

  onModuleInit(): void {
    this.events.subscribe('probe', ['probe.happened'], async (event, manager: EntityManager) => {
      const left = this.log.failuresLeft.get(event.id) ?? 0;
      if (left > 0) {
        this.log.failuresLeft.set(event.id, left - 1);
        throw new Error('probe consumer failing on purpose');
      }
      // A primary key: a second handling of one event would fail loudly, not pass silently.
      await manager.query('INSERT INTO probe_handled (event_id) VALUES ($1)', [event.id]);
      this.log.handled.push(event);
    });
  }
}
