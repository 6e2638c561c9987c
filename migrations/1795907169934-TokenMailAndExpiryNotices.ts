import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email and expiry warnings (issue 21). mail_outbox is the durable mail queue (claim columns as
 * in the other claim tables; dedupe_key = eventId:recipient makes queuing idempotent; the
 * partial index serves the sender's claim of unsent rows). token_expiry_notices holds one row per
 * (token, warning stage) given: its primary key is what sends each warning once across instances.
 * personal_access_tokens_expiry_idx serves the sweep's lookup of live tokens by expiry.
 */
export class TokenMailAndExpiryNotices1795907169934 implements MigrationInterface {
  name = 'TokenMailAndExpiryNotices1795907169934';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "mail_outbox" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "dedupe_key" text NOT NULL, "user_id" uuid NOT NULL, "to_address" text NOT NULL, "kind" text NOT NULL, "subject" text NOT NULL, "text" text NOT NULL, "html" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "run_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "lease_owner" text, "lease_expires_at" TIMESTAMP(3) WITH TIME ZONE, "attempts" integer NOT NULL DEFAULT \'0\', "sent_at" TIMESTAMP(3) WITH TIME ZONE, "last_error" text, CONSTRAINT "UQ_f98b21146dd23ba194f53d8a3d5" UNIQUE ("dedupe_key"), CONSTRAINT "PK_fecc63c96385bc35a39ccf2a72e" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "mail_outbox_due_idx" ON "mail_outbox"  ("run_at") WHERE sent_at IS NULL',
    );
    await queryRunner.query(
      'CREATE INDEX "personal_access_tokens_expiry_idx" ON "personal_access_tokens" ("expires_at") WHERE revoked_at IS NULL AND expires_at IS NOT NULL',
    );
    await queryRunner.query(
      'CREATE TABLE "token_expiry_notices" ("token_id" uuid NOT NULL, "stage" text NOT NULL, "noticed_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1b5b9091e2c6cfd0094773f5ee5" PRIMARY KEY ("token_id", "stage"))',
    );
    await queryRunner.query(
      'ALTER TABLE "mail_outbox" ADD CONSTRAINT "FK_9c7ce0e6c239f56810e7af7ceba" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "token_expiry_notices" ADD CONSTRAINT "FK_5f6c8deebec606a379d2237c9e3" FOREIGN KEY ("token_id") REFERENCES "personal_access_tokens"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "token_expiry_notices" DROP CONSTRAINT "FK_5f6c8deebec606a379d2237c9e3"',
    );
    await queryRunner.query(
      'ALTER TABLE "mail_outbox" DROP CONSTRAINT "FK_9c7ce0e6c239f56810e7af7ceba"',
    );
    await queryRunner.query('DROP TABLE "token_expiry_notices"');
    await queryRunner.query('DROP INDEX "public"."personal_access_tokens_expiry_idx"');
    await queryRunner.query('DROP INDEX "public"."mail_outbox_due_idx"');
    await queryRunner.query('DROP TABLE "mail_outbox"');
  }
}
