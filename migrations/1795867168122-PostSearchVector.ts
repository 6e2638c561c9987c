import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search reads a stored tsvector instead of computing to_tsvector per row: when the
 * planner runs a feed search as an ordered index scan with a filter (it does for words it
 * cannot estimate), the expression index left it recomputing to_tsvector for every post passed,
 * which took seconds at 100k posts for a rare word. PostgreSQL's own tsvector_update_trigger
 * keeps the column current on every insert and on updates of title or body.
 */
export class PostSearchVector1795867168122 implements MigrationInterface {
  name = 'PostSearchVector1795867168122';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "posts" ADD "search_vector" tsvector');
    await queryRunner.query(
      `UPDATE "posts" SET "search_vector" = to_tsvector('pg_catalog.english', coalesce("title", '') || ' ' || coalesce("body", ''))`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "posts_search_vector_update" BEFORE INSERT OR UPDATE OF "title", "body" ON "posts"
       FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger("search_vector", 'pg_catalog.english', "title", "body")`,
    );
    await queryRunner.query('DROP INDEX "posts_search_idx"');
    await queryRunner.query(
      'CREATE INDEX "posts_search_vector_idx" ON "posts" USING GIN ("search_vector")',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "posts_search_vector_idx"');
    await queryRunner.query(
      `CREATE INDEX "posts_search_idx" ON "posts" USING GIN (to_tsvector('english', "title" || ' ' || "body"))`,
    );
    await queryRunner.query('DROP TRIGGER "posts_search_vector_update" ON "posts"');
    await queryRunner.query('ALTER TABLE "posts" DROP COLUMN "search_vector"');
  }
}
