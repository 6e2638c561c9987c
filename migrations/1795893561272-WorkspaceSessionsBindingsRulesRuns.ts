import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Workspace module's tables: sessions, bindings (values sealed with SecretBox), automation
 * rules with their firings (unique per rule and dedupe key: a schedule tick, an inbound
 * signature, a purchase event) and accepted inbound signatures, and automation runs with the
 * conventional claim columns for `claimDueJobs`.
 */
export class WorkspaceSessionsBindingsRulesRuns1795893561272 implements MigrationInterface {
  name = 'WorkspaceSessionsBindingsRulesRuns1795893561272';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "workspace_bindings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "post_id" uuid NOT NULL, "name" text NOT NULL, "kind" text NOT NULL, "sealed_value" text, "token_id" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_2e517dcfcbc75a65487f13c1a64" UNIQUE ("post_id", "name"), CONSTRAINT "PK_158ea6d5ee64a38ceb560b1633b" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "automation_rules" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "post_id" uuid NOT NULL, "owner_id" uuid NOT NULL, "trigger_type" text NOT NULL, "cron" text, "timezone" text, "enabled" boolean NOT NULL, "cooldown_seconds" integer NOT NULL, "prompt_template" text NOT NULL, "workload_profile" text NOT NULL, "hook_path_token" text, "hook_secret_sealed" text, "next_fire_at" TIMESTAMP(3) WITH TIME ZONE, "last_fired_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_096d71507e9bd79829e1096219f" UNIQUE ("hook_path_token"), CONSTRAINT "PK_378bed501eacc036895837121c2" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "automation_rules_due_idx" ON "automation_rules"  ("next_fire_at") WHERE trigger_type = \'SCHEDULE\' AND enabled',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_737528890804cf5e91f5090cae" ON "automation_rules"  ("post_id", "trigger_type") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_093d935386a9aa606c4cae45b4" ON "automation_rules"  ("owner_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "automation_firings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "rule_id" uuid NOT NULL, "dedupe_key" text NOT NULL, "outcome" text NOT NULL, "run_id" uuid, "fired_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_a596d0ac9d425dd6f1239f64a8d" UNIQUE ("rule_id", "dedupe_key"), CONSTRAINT "PK_e975ebb68d3695e5354ea35e0f4" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "workspace_sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "post_id" uuid NOT NULL, "user_id" uuid NOT NULL, "mode" text NOT NULL, "status" text NOT NULL, "controller" text NOT NULL, "url" text NOT NULL, "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "idle_expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "closed_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9f3a2e62b9ddb193965b7156321" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_5f264f9dfeeaed444da66e0615" ON "workspace_sessions"  ("post_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_4cf7df736a981f3b2abc0b6e54" ON "workspace_sessions"  ("user_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_6dd224f4e20df5aaab61f7d929" ON "workspace_sessions"  ("user_id", "post_id", "mode") ',
    );
    await queryRunner.query(
      'CREATE TABLE "automation_runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "post_id" uuid NOT NULL, "owner_id" uuid NOT NULL, "trigger_type" text NOT NULL, "rule_id" uuid, "status" text NOT NULL, "prompt" text NOT NULL, "workload_profile" text NOT NULL, "idempotency_key" text, "request_digest" text, "controller" text NOT NULL, "output" text, "error" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP(3) WITH TIME ZONE, "finished_at" TIMESTAMP(3) WITH TIME ZONE, "deadline_at" TIMESTAMP(3) WITH TIME ZONE, "run_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "lease_owner" text, "lease_expires_at" TIMESTAMP(3) WITH TIME ZONE, "attempts" integer NOT NULL DEFAULT \'0\', CONSTRAINT "UQ_bfd848ffce8213a19d2a382bc0a" UNIQUE ("owner_id", "idempotency_key"), CONSTRAINT "PK_273137fa78ff9340128ab98445f" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "automation_runs_due_idx" ON "automation_runs"  ("run_at") WHERE status IN (\'QUEUED\', \'RUNNING\')',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_bfd6a7833abf029dd9091c7a54" ON "automation_runs"  ("rule_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_f8e73e4233bd14eef48c1e0d69" ON "automation_runs"  ("post_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_f4a55d62ddd82e3d7a2d386155" ON "automation_runs"  ("owner_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "automation_hook_signatures" ("rule_id" uuid NOT NULL, "signature" text NOT NULL, "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_cef18e1d68abadcd5608a65de62" PRIMARY KEY ("rule_id", "signature"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_a22bd6480f9e873b6f86139275" ON "automation_hook_signatures"  ("expires_at") ',
    );
    await queryRunner.query(
      'ALTER TABLE "workspace_bindings" ADD CONSTRAINT "FK_1c1b84d951e59d8c1393ce5839d" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "automation_rules" ADD CONSTRAINT "FK_7432b8e5ac1f09d7f70c9731af1" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "automation_rules" ADD CONSTRAINT "FK_ce95b9478bb1e2d6db41796ba11" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "automation_firings" ADD CONSTRAINT "FK_95a4e4a0884f0937928809347ea" FOREIGN KEY ("rule_id") REFERENCES "automation_rules"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "workspace_sessions" ADD CONSTRAINT "FK_5f264f9dfeeaed444da66e06158" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "workspace_sessions" ADD CONSTRAINT "FK_c26302c102c8fe357d8268599ff" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "automation_runs" ADD CONSTRAINT "FK_35f3da7cd6699c558e8c3deed8f" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "automation_runs" ADD CONSTRAINT "FK_642e63eff1160a009c5d1fb0383" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "automation_runs" ADD CONSTRAINT "FK_bfd6a7833abf029dd9091c7a54a" FOREIGN KEY ("rule_id") REFERENCES "automation_rules"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "automation_hook_signatures" ADD CONSTRAINT "FK_68112cbd5aec14b39079b476b97" FOREIGN KEY ("rule_id") REFERENCES "automation_rules"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "automation_hook_signatures" DROP CONSTRAINT "FK_68112cbd5aec14b39079b476b97"',
    );
    await queryRunner.query(
      'ALTER TABLE "automation_runs" DROP CONSTRAINT "FK_bfd6a7833abf029dd9091c7a54a"',
    );
    await queryRunner.query(
      'ALTER TABLE "automation_runs" DROP CONSTRAINT "FK_642e63eff1160a009c5d1fb0383"',
    );
    await queryRunner.query(
      'ALTER TABLE "automation_runs" DROP CONSTRAINT "FK_35f3da7cd6699c558e8c3deed8f"',
    );
    await queryRunner.query(
      'ALTER TABLE "workspace_sessions" DROP CONSTRAINT "FK_c26302c102c8fe357d8268599ff"',
    );
    await queryRunner.query(
      'ALTER TABLE "workspace_sessions" DROP CONSTRAINT "FK_5f264f9dfeeaed444da66e06158"',
    );
    await queryRunner.query(
      'ALTER TABLE "automation_firings" DROP CONSTRAINT "FK_95a4e4a0884f0937928809347ea"',
    );
    await queryRunner.query(
      'ALTER TABLE "automation_rules" DROP CONSTRAINT "FK_ce95b9478bb1e2d6db41796ba11"',
    );
    await queryRunner.query(
      'ALTER TABLE "automation_rules" DROP CONSTRAINT "FK_7432b8e5ac1f09d7f70c9731af1"',
    );
    await queryRunner.query(
      'ALTER TABLE "workspace_bindings" DROP CONSTRAINT "FK_1c1b84d951e59d8c1393ce5839d"',
    );
    await queryRunner.query('DROP INDEX "public"."IDX_a22bd6480f9e873b6f86139275"');
    await queryRunner.query('DROP TABLE "automation_hook_signatures"');
    await queryRunner.query('DROP INDEX "public"."IDX_f4a55d62ddd82e3d7a2d386155"');
    await queryRunner.query('DROP INDEX "public"."IDX_f8e73e4233bd14eef48c1e0d69"');
    await queryRunner.query('DROP INDEX "public"."IDX_bfd6a7833abf029dd9091c7a54"');
    await queryRunner.query('DROP INDEX "public"."automation_runs_due_idx"');
    await queryRunner.query('DROP TABLE "automation_runs"');
    await queryRunner.query('DROP INDEX "public"."IDX_6dd224f4e20df5aaab61f7d929"');
    await queryRunner.query('DROP INDEX "public"."IDX_4cf7df736a981f3b2abc0b6e54"');
    await queryRunner.query('DROP INDEX "public"."IDX_5f264f9dfeeaed444da66e0615"');
    await queryRunner.query('DROP TABLE "workspace_sessions"');
    await queryRunner.query('DROP TABLE "automation_firings"');
    await queryRunner.query('DROP INDEX "public"."IDX_093d935386a9aa606c4cae45b4"');
    await queryRunner.query('DROP INDEX "public"."IDX_737528890804cf5e91f5090cae"');
    await queryRunner.query('DROP INDEX "public"."automation_rules_due_idx"');
    await queryRunner.query('DROP TABLE "automation_rules"');
    await queryRunner.query('DROP TABLE "workspace_bindings"');
  }
}
