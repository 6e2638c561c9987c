import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ContentPostsAndPlaces1795838073698 implements MigrationInterface {
  name = 'ContentPostsAndPlaces1795838073698';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "places" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "city" text NOT NULL, "country" text NOT NULL, "latitude" double precision NOT NULL, "longitude" double precision NOT NULL, "timezone" text NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1afab86e226b4c3bc9a74465c12" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_742d7c7c298e79531c58662742" ON "places"  ("name", "id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "posts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "reference_id" text NOT NULL, "author_id" uuid NOT NULL, "title" text NOT NULL, "body" text NOT NULL, "status" text NOT NULL, "place_id" uuid, "scheduled_at" TIMESTAMP(3) WITH TIME ZONE, "timezone" text, "audience_tags" text array NOT NULL DEFAULT \'{}\', "hashtags" text array NOT NULL DEFAULT \'{}\', "mentions" text array NOT NULL DEFAULT \'{}\', "parent_post_id" uuid, "requires_reply_approval" boolean NOT NULL DEFAULT false, "reply_state" text, "revision_note" text, "pricing_model" text, "price_amount" integer, "price_currency" text, "priced_at" TIMESTAMP WITH TIME ZONE, "published_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_dfd5b19030f6d1dca41bfece181" UNIQUE ("reference_id"), CONSTRAINT "PK_2829ac61eff60fcec60d7274b9e" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_52f56b63c543a669eb6a7d310c" ON "posts"  ("parent_post_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_8b2fdcb4fb94d189e0e679748a" ON "posts"  ("author_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE INDEX "posts_feed_upcoming_idx" ON "posts"  ("scheduled_at", "id") WHERE parent_post_id IS NULL',
    );
    await queryRunner.query(
      'CREATE INDEX "posts_feed_recent_idx" ON "posts"  ("created_at", "id") WHERE parent_post_id IS NULL',
    );
    await queryRunner.query(
      'ALTER TABLE "posts" ADD CONSTRAINT "FK_312c63be865c81b922e39c2475e" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "posts" ADD CONSTRAINT "FK_eaa9b832d4f27f0f2abd784e4f9" FOREIGN KEY ("place_id") REFERENCES "places"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "posts" ADD CONSTRAINT "FK_979fb4c9d38af5cb74829ab9a4f" FOREIGN KEY ("parent_post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );

    // Full-text search over title and body, and hashtag filters: expression / GIN indexes that the
    // entity declares with synchronize: false, so they live here only.
    await queryRunner.query(
      'CREATE INDEX "posts_search_idx" ON "posts" USING GIN (to_tsvector(\'english\', "title" || \' \' || "body"))',
    );
    await queryRunner.query('CREATE INDEX "posts_hashtags_idx" ON "posts" USING GIN ("hashtags")');
    // A realistic starter set of places; admins add more with POST /api/admin/places.
    await queryRunner.query(`INSERT INTO "places" ("name", "city", "country", "latitude", "longitude", "timezone") VALUES
        ('Berlin', 'Berlin', 'DE', 52.52, 13.405, 'Europe/Berlin'),
        ('Hamburg', 'Hamburg', 'DE', 53.5511, 9.9937, 'Europe/Berlin'),
        ('Munich', 'Munich', 'DE', 48.1351, 11.582, 'Europe/Berlin'),
        ('Vienna', 'Vienna', 'AT', 48.2082, 16.3738, 'Europe/Vienna'),
        ('Zurich', 'Zurich', 'CH', 47.3769, 8.5417, 'Europe/Zurich'),
        ('Paris', 'Paris', 'FR', 48.8566, 2.3522, 'Europe/Paris'),
        ('Lyon', 'Lyon', 'FR', 45.764, 4.8357, 'Europe/Paris'),
        ('London', 'London', 'GB', 51.5074, -0.1278, 'Europe/London'),
        ('Manchester', 'Manchester', 'GB', 53.4808, -2.2426, 'Europe/London'),
        ('Dublin', 'Dublin', 'IE', 53.3498, -6.2603, 'Europe/Dublin'),
        ('Amsterdam', 'Amsterdam', 'NL', 52.3676, 4.9041, 'Europe/Amsterdam'),
        ('Brussels', 'Brussels', 'BE', 50.8503, 4.3517, 'Europe/Brussels'),
        ('Copenhagen', 'Copenhagen', 'DK', 55.6761, 12.5683, 'Europe/Copenhagen'),
        ('Stockholm', 'Stockholm', 'SE', 59.3293, 18.0686, 'Europe/Stockholm'),
        ('Oslo', 'Oslo', 'NO', 59.9139, 10.7522, 'Europe/Oslo'),
        ('Helsinki', 'Helsinki', 'FI', 60.1699, 24.9384, 'Europe/Helsinki'),
        ('Warsaw', 'Warsaw', 'PL', 52.2297, 21.0122, 'Europe/Warsaw'),
        ('Prague', 'Prague', 'CZ', 50.0755, 14.4378, 'Europe/Prague'),
        ('Madrid', 'Madrid', 'ES', 40.4168, -3.7038, 'Europe/Madrid'),
        ('Barcelona', 'Barcelona', 'ES', 41.3874, 2.1686, 'Europe/Madrid'),
        ('Lisbon', 'Lisbon', 'PT', 38.7223, -9.1393, 'Europe/Lisbon'),
        ('Rome', 'Rome', 'IT', 41.9028, 12.4964, 'Europe/Rome'),
        ('Milan', 'Milan', 'IT', 45.4642, 9.19, 'Europe/Rome'),
        ('Athens', 'Athens', 'GR', 37.9838, 23.7275, 'Europe/Athens'),
        ('Istanbul', 'Istanbul', 'TR', 41.0082, 28.9784, 'Europe/Istanbul'),
        ('New York', 'New York', 'US', 40.7128, -74.006, 'America/New_York'),
        ('San Francisco', 'San Francisco', 'US', 37.7749, -122.4194, 'America/Los_Angeles'),
        ('Los Angeles', 'Los Angeles', 'US', 34.0522, -118.2437, 'America/Los_Angeles'),
        ('Chicago', 'Chicago', 'US', 41.8781, -87.6298, 'America/Chicago'),
        ('Austin', 'Austin', 'US', 30.2672, -97.7431, 'America/Chicago'),
        ('Toronto', 'Toronto', 'CA', 43.6532, -79.3832, 'America/Toronto'),
        ('Vancouver', 'Vancouver', 'CA', 49.2827, -123.1207, 'America/Vancouver'),
        ('Mexico City', 'Mexico City', 'MX', 19.4326, -99.1332, 'America/Mexico_City'),
        ('São Paulo', 'São Paulo', 'BR', -23.5505, -46.6333, 'America/Sao_Paulo'),
        ('Buenos Aires', 'Buenos Aires', 'AR', -34.6037, -58.3816, 'America/Argentina/Buenos_Aires'),
        ('Tokyo', 'Tokyo', 'JP', 35.6762, 139.6503, 'Asia/Tokyo'),
        ('Seoul', 'Seoul', 'KR', 37.5665, 126.978, 'Asia/Seoul'),
        ('Singapore', 'Singapore', 'SG', 1.3521, 103.8198, 'Asia/Singapore'),
        ('Mumbai', 'Mumbai', 'IN', 19.076, 72.8777, 'Asia/Kolkata'),
        ('Dubai', 'Dubai', 'AE', 25.2048, 55.2708, 'Asia/Dubai'),
        ('Sydney', 'Sydney', 'AU', -33.8688, 151.2093, 'Australia/Sydney'),
        ('Melbourne', 'Melbourne', 'AU', -37.8136, 144.9631, 'Australia/Melbourne'),
        ('Auckland', 'Auckland', 'NZ', -36.8485, 174.7633, 'Pacific/Auckland'),
        ('Cape Town', 'Cape Town', 'ZA', -33.9249, 18.4241, 'Africa/Johannesburg'),
        ('Nairobi', 'Nairobi', 'KE', -1.2921, 36.8219, 'Africa/Nairobi'),
        ('Lagos', 'Lagos', 'NG', 6.5244, 3.3792, 'Africa/Lagos')`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "posts" DROP CONSTRAINT "FK_979fb4c9d38af5cb74829ab9a4f"');
    await queryRunner.query('ALTER TABLE "posts" DROP CONSTRAINT "FK_eaa9b832d4f27f0f2abd784e4f9"');
    await queryRunner.query('ALTER TABLE "posts" DROP CONSTRAINT "FK_312c63be865c81b922e39c2475e"');
    await queryRunner.query('DROP INDEX "public"."posts_feed_recent_idx"');
    await queryRunner.query('DROP INDEX "public"."posts_feed_upcoming_idx"');
    await queryRunner.query('DROP INDEX "public"."IDX_8b2fdcb4fb94d189e0e679748a"');
    await queryRunner.query('DROP INDEX "public"."IDX_52f56b63c543a669eb6a7d310c"');
    await queryRunner.query('DROP TABLE "posts"');
    await queryRunner.query('DROP INDEX "public"."IDX_742d7c7c298e79531c58662742"');
    await queryRunner.query('DROP TABLE "places"');
  }
}
