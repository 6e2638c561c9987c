import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The domain-event outbox (src/events): events written in the transaction of their change, and
 * one dispatch per consumer, claimed with a lease (src/database/job-claims.ts).
 */
export class DomainEventOutbox1795893135287 implements MigrationInterface {
  name = 'DomainEventOutbox1795893135287';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "domain_events" ("id" uuid NOT NULL, "type" text NOT NULL, "occurred_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "recipients" uuid array NOT NULL, "data" jsonb NOT NULL, CONSTRAINT "PK_domain_events" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "domain_events_occurred_idx" ON "domain_events" ("occurred_at")',
    );
    await queryRunner.query(
      'CREATE TABLE "domain_event_dispatches" ("event_id" uuid NOT NULL, "consumer" text NOT NULL, "run_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "lease_owner" text, "lease_expires_at" TIMESTAMP(3) WITH TIME ZONE, "attempts" integer NOT NULL DEFAULT 0, "last_error" text, CONSTRAINT "PK_domain_event_dispatches" PRIMARY KEY ("event_id", "consumer"))',
    );
    await queryRunner.query(
      'CREATE INDEX "domain_event_dispatches_due_idx" ON "domain_event_dispatches" ("run_at")',
    );
    await queryRunner.query(
      'ALTER TABLE "domain_event_dispatches" ADD CONSTRAINT "FK_6c126c82e378cd5534b8b90c9e8" FOREIGN KEY ("event_id") REFERENCES "domain_events"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "domain_event_dispatches"');
    await queryRunner.query('DROP TABLE "domain_events"');
  }
}
