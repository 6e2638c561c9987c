import type { MigrationInterface, QueryRunner } from 'typeorm';

const BACKFILL_BATCH = 5_000;

/**
 * Full-text search reads a stored tsvector instead of computing to_tsvector per row: when the
 * planner runs a feed search as an ordered index scan with a filter (it does for words it
 * cannot estimate), the expression index left it recomputing to_tsvector for every post passed,
 * which took seconds at 100k posts for a rare word. PostgreSQL's own tsvector_update_trigger
 * keeps the column current on every insert and on updates of title or body.
 *
 * Written to run on a live table: outside a transaction, the column and trigger first (brief
 * locks; from then on new and edited posts get their vector), the backfill in small committed
 * batches, the GIN index built and the old one dropped CONCURRENTLY. Every step can be re-run
 * if the migration stops halfway. During a rolling deploy, instances still on the old code keep
 * searching correctly, only without their index once it is dropped.
 */
export class PostSearchVector1795867168122 implements MigrationInterface {
  name = 'PostSearchVector1795867168122';
  transaction = false as const;

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "posts" ADD COLUMN IF NOT EXISTS "search_vector" tsvector',
    );
    await queryRunner.query(
      `CREATE OR REPLACE TRIGGER "posts_search_vector_update" BEFORE INSERT OR UPDATE OF "title", "body" ON "posts"
       FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger("search_vector", 'pg_catalog.english', "title", "body")`,
    );
    for (;;) {
      const updated = (await queryRunner.query(
        `WITH batch AS (SELECT "id" FROM "posts" WHERE "search_vector" IS NULL LIMIT ${BACKFILL_BATCH})
         UPDATE "posts" p SET "search_vector" = to_tsvector('pg_catalog.english', coalesce(p."title", '') || ' ' || coalesce(p."body", ''))
           FROM batch WHERE p."id" = batch."id" RETURNING 1`,
      )) as unknown[];
      if (updated.length < BACKFILL_BATCH) break;
    }
    await queryRunner.query(
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "posts_search_vector_idx" ON "posts" USING GIN ("search_vector")',
    );
    await queryRunner.query('DROP INDEX CONCURRENTLY IF EXISTS "posts_search_idx"');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS "posts_search_idx" ON "posts" USING GIN (to_tsvector('english', "title" || ' ' || "body"))`,
    );
    await queryRunner.query('DROP INDEX CONCURRENTLY IF EXISTS "posts_search_vector_idx"');
    await queryRunner.query('DROP TRIGGER IF EXISTS "posts_search_vector_update" ON "posts"');
    await queryRunner.query('ALTER TABLE "posts" DROP COLUMN IF EXISTS "search_vector"');
  }
}
