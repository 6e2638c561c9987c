import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Token policies (issue 21, item 5): token_policy holds the admin's override of the TOKEN_*
 * defaults, one row at most (id = 1); personal_access_tokens.stale_warned_at records that an
 * unused token's owner was warned of its coming revocation, so the warning is sent once.
 */
export class TokenPolicyAndStaleWarnings1795906905490 implements MigrationInterface {
  name = 'TokenPolicyAndStaleWarnings1795906905490';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "token_policy" ("id" smallint NOT NULL DEFAULT \'1\', "max_lifetime_days" integer, "expiry_required" boolean, "admin_only_scopes" text array, "stale_after_days" integer, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_by_id" uuid, CONSTRAINT "CHK_6e8c328b59207191d34824af49" CHECK ("id" = 1), CONSTRAINT "PK_d077391a2bf22be6bc712f3ab77" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'ALTER TABLE "personal_access_tokens" ADD "stale_warned_at" TIMESTAMP WITH TIME ZONE',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "personal_access_tokens" DROP COLUMN "stale_warned_at"');
    await queryRunner.query('DROP TABLE "token_policy"');
  }
}
