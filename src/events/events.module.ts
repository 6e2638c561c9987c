import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DomainEventDispatchEntity, DomainEventEntity } from './domain-event.entities.js';
import { DomainEventRegistry } from './domain-event.js';
import { DomainEvents } from './domain-events.service.js';
import { EventRelay } from './event-relay.js';

/** The domain-event outbox and its relay, for every module (DESIGN §8). */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([DomainEventEntity, DomainEventDispatchEntity])],
  providers: [DomainEventRegistry, DomainEvents, EventRelay],
  exports: [DomainEventRegistry, DomainEvents, EventRelay],
})
export class EventsModule {}
