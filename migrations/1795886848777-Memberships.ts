import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Memberships of creators, with the creator's tags for each member. The primary key
 * (creator_id, member_id) serves the audience-tag check (one probe per tagged post); the
 * (creator_id, created_at, member_id) index the creator's member list; the GIN index on tags
 * (declared synchronize: false on the entity) the list's ?tag= filter.
 */
export class Memberships1795886848777 implements MigrationInterface {
  name = 'Memberships1795886848777';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "memberships" ("creator_id" uuid NOT NULL, "member_id" uuid NOT NULL, "tags" text array NOT NULL DEFAULT \'{}\', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b137df4174a22fc63770051bf9a" PRIMARY KEY ("creator_id", "member_id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "memberships_member_idx" ON "memberships"  ("member_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "memberships_creator_joined_idx" ON "memberships"  ("creator_id", "created_at", "member_id") ',
    );
    await queryRunner.query(
      'ALTER TABLE "memberships" ADD CONSTRAINT "FK_9b98b4cbb463f74474f39300013" FOREIGN KEY ("creator_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "memberships" ADD CONSTRAINT "FK_311e13f02077ece49fd0a737563" FOREIGN KEY ("member_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'CREATE INDEX "memberships_tags_idx" ON "memberships" USING GIN ("tags")',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."memberships_tags_idx"');
    await queryRunner.query(
      'ALTER TABLE "memberships" DROP CONSTRAINT "FK_311e13f02077ece49fd0a737563"',
    );
    await queryRunner.query(
      'ALTER TABLE "memberships" DROP CONSTRAINT "FK_9b98b4cbb463f74474f39300013"',
    );
    await queryRunner.query('DROP INDEX "public"."memberships_creator_joined_idx"');
    await queryRunner.query('DROP INDEX "public"."memberships_member_idx"');
    await queryRunner.query('DROP TABLE "memberships"');
  }
}
