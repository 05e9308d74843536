-- 0025_payee_accounts: 收款账户 (src/payees/schema.ts) and 银行回盘 (src/payroll/bank/schema.ts; docs/payroll.md 银行与对账).
CREATE TABLE "payee_accounts" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"bank_code" text NOT NULL,
	"bank_name" text NOT NULL,
	"account_no" text NOT NULL,
	"holder_name" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"ended_by" text,
	"ended_at" timestamp (3) with time zone,
	"end_reason" text,
	CONSTRAINT "payee_accounts_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "payee_accounts_kind_chk" CHECK ("payee_accounts"."kind" in ('bank','social_security_card')),
	CONSTRAINT "payee_accounts_account_chk" CHECK ("payee_accounts"."account_no" ~ '^[0-9]{8,32}$'),
	CONSTRAINT "payee_accounts_dates_chk" CHECK ("payee_accounts"."valid_to" is null or "payee_accounts"."valid_to" >= "payee_accounts"."valid_from")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "payee_accounts_current_uq" ON "payee_accounts" USING btree ("district_code","person_id") WHERE "payee_accounts"."valid_to" is null;
--> statement-breakpoint
CREATE INDEX "payee_accounts_person_idx" ON "payee_accounts" USING btree ("district_code","person_id","valid_from");
--> statement-breakpoint
CREATE TABLE "payroll_bank_returns" (
	"district_code" text NOT NULL,
	"run_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"bank_code" text NOT NULL,
	"file_name" text NOT NULL,
	"digest" text NOT NULL,
	"paid_count" integer NOT NULL,
	"paid_fen" bigint NOT NULL,
	"failed_count" integer NOT NULL,
	"failed_fen" bigint NOT NULL,
	"imported_by" text,
	"imported_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "payroll_bank_returns_district_code_run_id_seq_pk" PRIMARY KEY("district_code","run_id","seq"),
	CONSTRAINT "payroll_bank_returns_counts_chk" CHECK ("payroll_bank_returns"."paid_count" >= 0 and "payroll_bank_returns"."failed_count" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "payroll_bank_returns_digest_uq" ON "payroll_bank_returns" USING btree ("district_code","run_id","digest");
