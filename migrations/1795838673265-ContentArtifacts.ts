import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ContentArtifacts1795838673265 implements MigrationInterface {
  name = 'ContentArtifacts1795838673265';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "artifact_uploads" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "post_id" uuid NOT NULL, "author_id" uuid NOT NULL, "filename" text NOT NULL, "content_type" text NOT NULL, "declared_size" bigint NOT NULL, "secret_hash" text NOT NULL, "status" text NOT NULL, "sha256" text, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_34ddfedcb1429abb5d61b87e456" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_40d82a368ac11208a9059ed668" ON "artifact_uploads"  ("expires_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "post_artifacts" ("post_id" uuid NOT NULL, "upload_id" uuid NOT NULL, "filename" text NOT NULL, "content_type" text NOT NULL, "size" bigint NOT NULL, "sha256" text NOT NULL, "storage_key" text NOT NULL, "committed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_63a5243734539d747a5a45db2a9" PRIMARY KEY ("post_id"))',
    );
    await queryRunner.query(
      'ALTER TABLE "artifact_uploads" ADD CONSTRAINT "FK_1412fd505f00396571e1ac3a113" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "post_artifacts" ADD CONSTRAINT "FK_63a5243734539d747a5a45db2a9" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "post_artifacts" DROP CONSTRAINT "FK_63a5243734539d747a5a45db2a9"',
    );
    await queryRunner.query(
      'ALTER TABLE "artifact_uploads" DROP CONSTRAINT "FK_1412fd505f00396571e1ac3a113"',
    );
    await queryRunner.query('DROP TABLE "post_artifacts"');
    await queryRunner.query('DROP INDEX "public"."IDX_40d82a368ac11208a9059ed668"');
    await queryRunner.query('DROP TABLE "artifact_uploads"');
  }
}
