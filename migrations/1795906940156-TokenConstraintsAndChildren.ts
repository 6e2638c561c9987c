import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Token governance (issue 21, items 1 and 6). Per-token constraints: allowed_ips (normalised
 * CIDRs, null = anywhere) and resources (`{"posts": [uuid, …]}`, null = everything the owner has).
 * Child tokens: parent_id points at the token that minted the child; deleting the parent row
 * deletes its children, and revoking or rotating it revokes them (TokensService).
 */
export class TokenConstraintsAndChildren1795906940156 implements MigrationInterface {
  name = 'TokenConstraintsAndChildren1795906940156';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "personal_access_tokens" ADD "allowed_ips" text array');
    await queryRunner.query('ALTER TABLE "personal_access_tokens" ADD "resources" jsonb');
    await queryRunner.query('ALTER TABLE "personal_access_tokens" ADD "parent_id" uuid');
    await queryRunner.query(
      'CREATE INDEX "IDX_41fbbcad32597e8c79a0d002a7" ON "personal_access_tokens"  ("parent_id") ',
    );
    await queryRunner.query(
      'ALTER TABLE "personal_access_tokens" ADD CONSTRAINT "FK_41fbbcad32597e8c79a0d002a77" FOREIGN KEY ("parent_id") REFERENCES "personal_access_tokens"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "personal_access_tokens" DROP CONSTRAINT "FK_41fbbcad32597e8c79a0d002a77"',
    );
    await queryRunner.query('DROP INDEX "public"."IDX_41fbbcad32597e8c79a0d002a7"');
    await queryRunner.query('ALTER TABLE "personal_access_tokens" DROP COLUMN "parent_id"');
    await queryRunner.query('ALTER TABLE "personal_access_tokens" DROP COLUMN "resources"');
    await queryRunner.query('ALTER TABLE "personal_access_tokens" DROP COLUMN "allowed_ips"');
  }
}
