import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';

/** One kind of domain event a module records, with the JSON Schema of its `data`. */
export interface DomainEventDefinition {
  /** `<noun>.<past tense>`, e.g. `post.published`. */
  type: string;
  /** One line for the catalog's `webhookEvents` and the OpenAPI `webhooks` map. */
  summary: string;
  /** JSON Schema (2020-12) of the event's `data`: ids and what a receiver needs, never secrets. */
  schema: Record<string, unknown>;
}

/** A committed event as consumers see it. */
export interface RecordedDomainEvent {
  id: string;
  type: string;
  occurredAt: Date;
  /** The users the event concerns: whose webhook endpoints may receive it. */
  recipients: string[];
  data: Record<string, unknown>;
}

const DOMAIN_EVENTS_METADATA = 'gpx:domain-events';

/**
 * On a module class: the events that module records, kept next to its workflows (e.g.
 * `content.events.ts`). The registry finds them in Nest's module graph, as the catalog finds
 * workflows, so this layer never imports a module.
 */
export function RegisterDomainEvents(events: readonly DomainEventDefinition[]): ClassDecorator {
  return (target) => Reflect.defineMetadata(DOMAIN_EVENTS_METADATA, events, target);
}

/** Every event type the app's modules declared; a type declared twice fails the boot. */
@Injectable()
export class DomainEventRegistry implements OnModuleInit {
  private byType: Map<string, DomainEventDefinition> | undefined;

  constructor(private readonly modules: ModulesContainer) {}

  onModuleInit(): void {
    this.load();
  }

  /** Sorted by type, so the catalog and OpenAPI don't depend on module load order. */
  list(): DomainEventDefinition[] {
    return [...this.load().values()].sort((a, b) => a.type.localeCompare(b.type));
  }

  get(type: string): DomainEventDefinition | undefined {
    return this.load().get(type);
  }

  private load(): Map<string, DomainEventDefinition> {
    if (this.byType) return this.byType;
    const byType = new Map<string, DomainEventDefinition>();
    for (const module of this.modules.values()) {
      const events = Reflect.getMetadata(DOMAIN_EVENTS_METADATA, module.metatype) as
        readonly DomainEventDefinition[] | undefined;
      for (const event of events ?? []) {
        if (byType.has(event.type) && byType.get(event.type) !== event) {
          throw new Error(`Domain event type ${event.type} is declared twice`);
        }
        byType.set(event.type, event);
      }
    }
    this.byType = byType;
    return byType;
  }
}
