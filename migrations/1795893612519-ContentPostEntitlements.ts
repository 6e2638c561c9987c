import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Content's post_entitlements: who may read a priced post beyond its author (written by Billing
 * through PostEntitlements, read by the visibility rule in post-visibility.ts).
 */
export class ContentPostEntitlements1795893612519 implements MigrationInterface {
  name = 'ContentPostEntitlements1795893612519';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "post_entitlements" ("post_id" uuid NOT NULL, "user_id" uuid NOT NULL, "until" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_04e848d8290811cca159ea1b7d9" PRIMARY KEY ("post_id", "user_id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_42ca61bb7dd27dca523a03c518" ON "post_entitlements"  ("user_id") ',
    );
    await queryRunner.query(
      'ALTER TABLE "post_entitlements" ADD CONSTRAINT "FK_0449e2b5dc3cdbabda6bd3f3c13" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "post_entitlements" ADD CONSTRAINT "FK_42ca61bb7dd27dca523a03c5182" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "post_entitlements" DROP CONSTRAINT "FK_42ca61bb7dd27dca523a03c5182"',
    );
    await queryRunner.query(
      'ALTER TABLE "post_entitlements" DROP CONSTRAINT "FK_0449e2b5dc3cdbabda6bd3f3c13"',
    );
    await queryRunner.query('DROP INDEX "public"."IDX_42ca61bb7dd27dca523a03c518"');
    await queryRunner.query('DROP TABLE "post_entitlements"');
  }
}
