import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Billing's tables: Stripe customers and plans, connected accounts (payouts), checkout links
 * (Idempotency-Key), purchases, subscriptions, co-seller transfers (with the queue columns the
 * claim helper uses), applied Stripe event ids and AI credit spends. No card data and no Stripe
 * secret: only Stripe object ids and state.
 */
export class BillingTables1795895584249 implements MigrationInterface {
  name = 'BillingTables1795895584249';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "billing_customers" ("user_id" uuid NOT NULL, "stripe_customer_id" text, "plan" text NOT NULL DEFAULT \'free\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_8236710a5135642b23113102093" UNIQUE ("stripe_customer_id"), CONSTRAINT "PK_9247f7fb18111a77f9d5ff06b99" PRIMARY KEY ("user_id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "payout_accounts" ("user_id" uuid NOT NULL, "stripe_account_id" text NOT NULL, "country" text NOT NULL, "status" text NOT NULL DEFAULT \'incomplete\', "charges_enabled" boolean NOT NULL DEFAULT false, "payouts_enabled" boolean NOT NULL DEFAULT false, "requirements_due" text array NOT NULL DEFAULT \'{}\', "state_as_of" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_6f02a93147f72b1c3ec4b32e92d" UNIQUE ("stripe_account_id"), CONSTRAINT "PK_ecdfbea1a85f334f9fd8c3a5af1" PRIMARY KEY ("user_id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "checkout_links" ("id" uuid NOT NULL, "buyer_id" uuid NOT NULL, "kind" text NOT NULL, "post_id" uuid, "idempotency_key" text, "request_hash" text NOT NULL, "checkout_session_id" text NOT NULL, "url" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_5bf36a0002209080fcb79c163bc" UNIQUE ("checkout_session_id"), CONSTRAINT "PK_5d6948bf22cf46b10374d1d9af0" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "IDX_56d924024519598b46e0061164" ON "checkout_links"  ("buyer_id", "idempotency_key") ',
    );
    await queryRunner.query(
      'CREATE TABLE "purchases" ("id" uuid NOT NULL, "buyer_id" uuid NOT NULL, "seller_id" uuid NOT NULL, "post_id" uuid, "mode" text NOT NULL, "amount" integer NOT NULL, "currency" text NOT NULL, "checkout_session_id" text NOT NULL, "stripe_subscription_id" text, "referral_path_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_3d57835e56693e77683b8bc9252" UNIQUE ("checkout_session_id"), CONSTRAINT "PK_1d55032f37a34c6eceacbbca6b8" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_e571810acc901b64b31cc50005" ON "purchases"  ("seller_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_87384a1e53d7148b0365452966" ON "purchases"  ("buyer_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "billing_subscriptions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "stripe_subscription_id" text NOT NULL, "kind" text NOT NULL, "buyer_id" uuid NOT NULL, "seller_id" uuid, "post_id" uuid, "status" text NOT NULL, "current_period_end" TIMESTAMP WITH TIME ZONE, "cancel_at_period_end" boolean NOT NULL DEFAULT false, "state_as_of" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_477e29a06a5144238e8c06f4195" UNIQUE ("stripe_subscription_id"), CONSTRAINT "PK_da12bd094f95ed1a9ad21b0b2df" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_0371260d833fd00dd3e65016e0" ON "billing_subscriptions"  ("buyer_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "transfers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "purchase_id" uuid NOT NULL, "seller_id" uuid NOT NULL, "destination_user_id" uuid NOT NULL, "referral_path_id" uuid, "source" text NOT NULL DEFAULT \'checkout\', "share_bps" integer NOT NULL, "amount" integer NOT NULL, "currency" text NOT NULL, "transfer_group" text NOT NULL, "status" text NOT NULL DEFAULT \'pending\', "stripe_transfer_id" text, "payment_attempt" integer NOT NULL DEFAULT \'1\', "run_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "lease_owner" text, "lease_expires_at" TIMESTAMP WITH TIME ZONE, "attempts" integer NOT NULL DEFAULT \'0\', "last_error" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_4a7fe43ac80b128cf7c55930fda" UNIQUE ("stripe_transfer_id"), CONSTRAINT "PK_f712e908b465e0085b4408cabc3" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "IDX_0a9c2fdfe5a12384c8dde231fd" ON "transfers"  ("purchase_id", "destination_user_id", "source") ',
    );
    await queryRunner.query(
      'CREATE INDEX "transfers_due_idx" ON "transfers"  ("run_at") WHERE status = \'pending\'',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_d244668b4dbc3490f78e95cf25" ON "transfers"  ("seller_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "stripe_events" ("id" text NOT NULL, "type" text NOT NULL, "stripe_created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d3247bd5fc3f66b6982bbcdd897" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "ai_credit_spends" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "amount" integer NOT NULL, "reason" text NOT NULL, "spent_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c3504cd34624f0cd9b8f84fe190" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "IDX_7a101638c809bb5482a5e2a0cd" ON "ai_credit_spends"  ("user_id", "spent_at") ',
    );
    await queryRunner.query(
      'ALTER TABLE "billing_customers" ADD CONSTRAINT "FK_9247f7fb18111a77f9d5ff06b99" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "payout_accounts" ADD CONSTRAINT "FK_ecdfbea1a85f334f9fd8c3a5af1" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "checkout_links" ADD CONSTRAINT "FK_13cc7eaabb09bfe47265f647613" FOREIGN KEY ("buyer_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "checkout_links" ADD CONSTRAINT "FK_ad916116117c0ffa42533a15922" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "purchases" ADD CONSTRAINT "FK_a3886ad6e415bce0b2f25c136bc" FOREIGN KEY ("buyer_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "purchases" ADD CONSTRAINT "FK_f301deca5d711b59d71038bf44b" FOREIGN KEY ("seller_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "purchases" ADD CONSTRAINT "FK_f44b1f444769b9fc7517a73b071" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "billing_subscriptions" ADD CONSTRAINT "FK_28f8cb08f07738d3c3b6824c69f" FOREIGN KEY ("buyer_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "billing_subscriptions" ADD CONSTRAINT "FK_f333727ef90ab1b46da5f1a1f81" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "transfers" ADD CONSTRAINT "FK_63ff7dde0685777a9cef3834f55" FOREIGN KEY ("purchase_id") REFERENCES "purchases"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "transfers" ADD CONSTRAINT "FK_b5204b603d62c69f45939cea486" FOREIGN KEY ("seller_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "transfers" ADD CONSTRAINT "FK_b86d35a9004c0e583464c1099b6" FOREIGN KEY ("destination_user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "ai_credit_spends" ADD CONSTRAINT "FK_963b97d155512367078c8ed79b6" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "ai_credit_spends" DROP CONSTRAINT "FK_963b97d155512367078c8ed79b6"',
    );
    await queryRunner.query(
      'ALTER TABLE "transfers" DROP CONSTRAINT "FK_b86d35a9004c0e583464c1099b6"',
    );
    await queryRunner.query(
      'ALTER TABLE "transfers" DROP CONSTRAINT "FK_b5204b603d62c69f45939cea486"',
    );
    await queryRunner.query(
      'ALTER TABLE "transfers" DROP CONSTRAINT "FK_63ff7dde0685777a9cef3834f55"',
    );
    await queryRunner.query(
      'ALTER TABLE "billing_subscriptions" DROP CONSTRAINT "FK_f333727ef90ab1b46da5f1a1f81"',
    );
    await queryRunner.query(
      'ALTER TABLE "billing_subscriptions" DROP CONSTRAINT "FK_28f8cb08f07738d3c3b6824c69f"',
    );
    await queryRunner.query(
      'ALTER TABLE "purchases" DROP CONSTRAINT "FK_f44b1f444769b9fc7517a73b071"',
    );
    await queryRunner.query(
      'ALTER TABLE "purchases" DROP CONSTRAINT "FK_f301deca5d711b59d71038bf44b"',
    );
    await queryRunner.query(
      'ALTER TABLE "purchases" DROP CONSTRAINT "FK_a3886ad6e415bce0b2f25c136bc"',
    );
    await queryRunner.query(
      'ALTER TABLE "checkout_links" DROP CONSTRAINT "FK_ad916116117c0ffa42533a15922"',
    );
    await queryRunner.query(
      'ALTER TABLE "checkout_links" DROP CONSTRAINT "FK_13cc7eaabb09bfe47265f647613"',
    );
    await queryRunner.query(
      'ALTER TABLE "payout_accounts" DROP CONSTRAINT "FK_ecdfbea1a85f334f9fd8c3a5af1"',
    );
    await queryRunner.query(
      'ALTER TABLE "billing_customers" DROP CONSTRAINT "FK_9247f7fb18111a77f9d5ff06b99"',
    );
    await queryRunner.query('DROP INDEX "public"."IDX_7a101638c809bb5482a5e2a0cd"');
    await queryRunner.query('DROP TABLE "ai_credit_spends"');
    await queryRunner.query('DROP TABLE "stripe_events"');
    await queryRunner.query('DROP INDEX "public"."IDX_d244668b4dbc3490f78e95cf25"');
    await queryRunner.query('DROP INDEX "public"."transfers_due_idx"');
    await queryRunner.query('DROP INDEX "public"."IDX_0a9c2fdfe5a12384c8dde231fd"');
    await queryRunner.query('DROP TABLE "transfers"');
    await queryRunner.query('DROP INDEX "public"."IDX_0371260d833fd00dd3e65016e0"');
    await queryRunner.query('DROP TABLE "billing_subscriptions"');
    await queryRunner.query('DROP INDEX "public"."IDX_87384a1e53d7148b0365452966"');
    await queryRunner.query('DROP INDEX "public"."IDX_e571810acc901b64b31cc50005"');
    await queryRunner.query('DROP TABLE "purchases"');
    await queryRunner.query('DROP INDEX "public"."IDX_56d924024519598b46e0061164"');
    await queryRunner.query('DROP TABLE "checkout_links"');
    await queryRunner.query('DROP TABLE "payout_accounts"');
    await queryRunner.query('DROP TABLE "billing_customers"');
  }
}
