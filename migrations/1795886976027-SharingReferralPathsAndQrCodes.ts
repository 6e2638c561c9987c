import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sharing's tables: referral paths (/go/{code}) and QR code generations (their images inline:
 * a few kilobytes each, written once). Referral codes are unique ignoring case through an
 * expression index on lower(code), which the entity names but TypeORM cannot declare.
 */
export class SharingReferralPathsAndQrCodes1795886976027 implements MigrationInterface {
  name = 'SharingReferralPathsAndQrCodes1795886976027';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "referral_paths" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "owner_id" uuid NOT NULL, "code" text NOT NULL, "post_id" uuid, "co_seller_share_bps" integer NOT NULL DEFAULT \'0\', "visits" integer NOT NULL DEFAULT \'0\', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_779217578b4587f68472a179e14" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "referral_paths_code_lower_key" ON "referral_paths" (lower("code"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_0129a480b2998b421f80ac22d9" ON "referral_paths"  ("post_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_369cfc860a30af8a7a6d815a8a" ON "referral_paths"  ("owner_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "qr_codes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "owner_id" uuid NOT NULL, "referral_path_id" uuid, "url" text NOT NULL, "style" text NOT NULL, "art_style" text, "prompt" text, "hidden" boolean NOT NULL DEFAULT false, "png" bytea NOT NULL, "svg" text, "has_svg" boolean NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4b7aa338e150a878ce9e2c55c5c" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "qr_codes_gallery_idx" ON "qr_codes"  ("created_at", "id") WHERE hidden = false',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_6d7e94043a8fc8bc21f4a2b4fa" ON "qr_codes"  ("referral_path_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_7783425d41c00cd72748d097cc" ON "qr_codes"  ("owner_id", "created_at") ',
    );
    await queryRunner.query(
      'ALTER TABLE "referral_paths" ADD CONSTRAINT "FK_4dfd8a8d7eeb033c624bf01d2b7" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "referral_paths" ADD CONSTRAINT "FK_0129a480b2998b421f80ac22d92" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "qr_codes" ADD CONSTRAINT "FK_72c0a472600bd96772aa68daa1e" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "qr_codes" ADD CONSTRAINT "FK_6d7e94043a8fc8bc21f4a2b4fae" FOREIGN KEY ("referral_path_id") REFERENCES "referral_paths"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "qr_codes" DROP CONSTRAINT "FK_6d7e94043a8fc8bc21f4a2b4fae"',
    );
    await queryRunner.query(
      'ALTER TABLE "qr_codes" DROP CONSTRAINT "FK_72c0a472600bd96772aa68daa1e"',
    );
    await queryRunner.query(
      'ALTER TABLE "referral_paths" DROP CONSTRAINT "FK_0129a480b2998b421f80ac22d92"',
    );
    await queryRunner.query(
      'ALTER TABLE "referral_paths" DROP CONSTRAINT "FK_4dfd8a8d7eeb033c624bf01d2b7"',
    );
    await queryRunner.query('DROP INDEX "public"."IDX_7783425d41c00cd72748d097cc"');
    await queryRunner.query('DROP INDEX "public"."IDX_6d7e94043a8fc8bc21f4a2b4fa"');
    await queryRunner.query('DROP INDEX "public"."qr_codes_gallery_idx"');
    await queryRunner.query('DROP TABLE "qr_codes"');
    await queryRunner.query('DROP INDEX "public"."IDX_369cfc860a30af8a7a6d815a8a"');
    await queryRunner.query('DROP INDEX "public"."IDX_0129a480b2998b421f80ac22d9"');
    await queryRunner.query('DROP INDEX "public"."referral_paths_code_lower_key"');
    await queryRunner.query('DROP TABLE "referral_paths"');
  }
}
