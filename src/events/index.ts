export {
  type DomainEventDefinition,
  DomainEventRegistry,
  type RecordedDomainEvent,
  RegisterDomainEvents,
} from './domain-event.js';
export {
  type DomainEventConsumer,
  type DomainEventHandler,
  DomainEvents,
} from './domain-events.service.js';
export { EventRelay } from './event-relay.js';
export { EventsModule } from './events.module.js';
