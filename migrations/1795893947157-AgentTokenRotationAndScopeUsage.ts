import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agent access (issue 16). Token rotation: the rotated-out row points at its successor
 * (replaced_by_id) and keeps working until grace_until; the successor records when it was made
 * (rotated_at) and until when its predecessor works (previous_valid_until, for Settings → API).
 * Least-privilege hints: token_scope_usage holds one row per token, UTC day and scope used; the
 * primary key serves the 30-day lookup by token.
 */
export class AgentTokenRotationAndScopeUsage1795893947157 implements MigrationInterface {
  name = 'AgentTokenRotationAndScopeUsage1795893947157';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "token_scope_usage" ("token_id" uuid NOT NULL, "day" date NOT NULL, "scope" text NOT NULL, CONSTRAINT "PK_c8864098ee70a73dd3eb4d68c42" PRIMARY KEY ("token_id", "day", "scope"))',
    );
    await queryRunner.query('ALTER TABLE "personal_access_tokens" ADD "replaced_by_id" uuid');
    await queryRunner.query(
      'ALTER TABLE "personal_access_tokens" ADD "grace_until" TIMESTAMP WITH TIME ZONE',
    );
    await queryRunner.query(
      'ALTER TABLE "personal_access_tokens" ADD "rotated_at" TIMESTAMP WITH TIME ZONE',
    );
    await queryRunner.query(
      'ALTER TABLE "personal_access_tokens" ADD "previous_valid_until" TIMESTAMP WITH TIME ZONE',
    );
    await queryRunner.query(
      'ALTER TABLE "token_scope_usage" ADD CONSTRAINT "FK_80124c498f17d4b28164761252b" FOREIGN KEY ("token_id") REFERENCES "personal_access_tokens"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "token_scope_usage" DROP CONSTRAINT "FK_80124c498f17d4b28164761252b"',
    );
    await queryRunner.query(
      'ALTER TABLE "personal_access_tokens" DROP COLUMN "previous_valid_until"',
    );
    await queryRunner.query('ALTER TABLE "personal_access_tokens" DROP COLUMN "rotated_at"');
    await queryRunner.query('ALTER TABLE "personal_access_tokens" DROP COLUMN "grace_until"');
    await queryRunner.query('ALTER TABLE "personal_access_tokens" DROP COLUMN "replaced_by_id"');
    await queryRunner.query('DROP TABLE "token_scope_usage"');
  }
}
