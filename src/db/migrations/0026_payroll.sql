-- 0026_payroll: 资金统发 — runs, lines, the ledger and recovery items (src/payroll/schema.ts; docs/payroll.md).
CREATE TABLE "payroll_runs" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"month" text NOT NULL,
	"state" text NOT NULL,
	"job_id" uuid,
	"prepared_by" text NOT NULL,
	"prepared_at" timestamp (3) with time zone NOT NULL,
	"checked_by" text,
	"checked_at" timestamp (3) with time zone,
	"approved_by" text,
	"approved_at" timestamp (3) with time zone,
	"exported_by" text,
	"exported_at" timestamp (3) with time zone,
	"closed_at" timestamp (3) with time zone,
	"line_count" integer DEFAULT 0 NOT NULL,
	"total_fen" bigint DEFAULT 0 NOT NULL,
	"held_count" integer DEFAULT 0 NOT NULL,
	"held_fen" bigint DEFAULT 0 NOT NULL,
	"parameter_changes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "payroll_runs_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "payroll_runs_state_chk" CHECK ("payroll_runs"."state" in ('computing','prepared','checked','approved','exported','closed','cancelled')),
	CONSTRAINT "payroll_runs_month_chk" CHECK ("payroll_runs"."month" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
	CONSTRAINT "payroll_runs_duties_chk" CHECK (("payroll_runs"."checked_by" is null or "payroll_runs"."checked_by" <> "payroll_runs"."prepared_by")
        and ("payroll_runs"."approved_by" is null or ("payroll_runs"."approved_by" <> "payroll_runs"."prepared_by" and "payroll_runs"."approved_by" <> "payroll_runs"."checked_by")))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "payroll_runs_month_uq" ON "payroll_runs" USING btree ("district_code","month") WHERE "payroll_runs"."state" <> 'cancelled';--> statement-breakpoint
CREATE TABLE "payroll_lines" (
	"district_code" text NOT NULL,
	"run_id" uuid NOT NULL,
	"line_no" integer NOT NULL,
	"payable_kind" text NOT NULL,
	"payable_id" uuid NOT NULL,
	"program" text NOT NULL,
	"household_id" uuid,
	"person_id" uuid,
	"committee_code" text NOT NULL,
	"period" text NOT NULL,
	"kind" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"entitlement_amount_fen" bigint,
	"engine_amount_fen" bigint,
	"basis_kind" text NOT NULL,
	"basis_ref" text,
	"state" text NOT NULL,
	"hold_reason" text,
	"payee_person_id" uuid NOT NULL,
	"account_kind" text,
	"bank_code" text,
	"bank_name" text,
	"account_no" text,
	"bank_ref" text,
	"paid_on" date,
	"failure_reason" text,
	"carried_from_run" uuid,
	"carried_from_line" integer,
	"reviewed_by" text,
	"reviewed_at" timestamp (3) with time zone,
	CONSTRAINT "payroll_lines_district_code_run_id_line_no_pk" PRIMARY KEY("district_code","run_id","line_no"),
	CONSTRAINT "payroll_lines_payable_kind_chk" CHECK ("payroll_lines"."payable_kind" in ('entitlement','settlement')),
	CONSTRAINT "payroll_lines_kind_chk" CHECK ("payroll_lines"."kind" in ('regular','arrears','carried','offset')),
	CONSTRAINT "payroll_lines_state_chk" CHECK ("payroll_lines"."state" in ('held','pending','released','excluded','paid','failed')),
	CONSTRAINT "payroll_lines_basis_chk" CHECK ("payroll_lines"."basis_kind" in ('entitlement','decision','parameter_change','rule','recovery')),
	CONSTRAINT "payroll_lines_period_chk" CHECK ("payroll_lines"."period" ~ '^[0-9]{4}-((0[1-9]|1[0-2])|Q[1-4])$'),
	CONSTRAINT "payroll_lines_amount_chk" CHECK ("payroll_lines"."kind" = 'offset' or "payroll_lines"."amount_fen" >= 0),
	CONSTRAINT "payroll_lines_held_chk" CHECK ("payroll_lines"."state" <> 'held' or "payroll_lines"."hold_reason" is not null)
);
--> statement-breakpoint
-- Indexes of the lines are built after the run's COPY when that is faster (docs/payroll.md); these are the base.
CREATE UNIQUE INDEX "payroll_lines_payable_uq" ON "payroll_lines" USING btree ("district_code","run_id","payable_id","period","kind");--> statement-breakpoint
CREATE INDEX "payroll_lines_payable_idx" ON "payroll_lines" USING btree ("district_code","payable_id","period");--> statement-breakpoint
CREATE INDEX "payroll_lines_person_idx" ON "payroll_lines" USING btree ("district_code","payee_person_id");--> statement-breakpoint
ALTER TABLE "payroll_lines" ADD CONSTRAINT "payroll_lines_run_fk" FOREIGN KEY ("district_code","run_id") REFERENCES "payroll_runs"("district_code","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"district_code" text NOT NULL,
	"payable_kind" text NOT NULL,
	"payable_id" uuid NOT NULL,
	"period" text NOT NULL,
	"kind" text NOT NULL,
	"seq" integer NOT NULL,
	"program" text NOT NULL,
	"debit_account" text NOT NULL,
	"credit_account" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"run_id" uuid,
	"line_no" integer,
	"recovery_id" uuid,
	"posted_on" date NOT NULL,
	"posted_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "ledger_entries_pk" PRIMARY KEY("district_code","payable_kind","payable_id","period","kind","seq"),
	CONSTRAINT "ledger_entries_kind_chk" CHECK ("ledger_entries"."kind" in ('accrual','payment','recovery','collection','opening')),
	CONSTRAINT "ledger_entries_accounts_chk" CHECK ("ledger_entries"."debit_account" <> "ledger_entries"."credit_account"),
	CONSTRAINT "ledger_entries_amount_chk" CHECK ("ledger_entries"."amount_fen" <> 0),
	CONSTRAINT "ledger_entries_seq_chk" CHECK ("ledger_entries"."seq" >= 1)
);
--> statement-breakpoint
CREATE INDEX "ledger_entries_run_idx" ON "ledger_entries" USING btree ("district_code","run_id");--> statement-breakpoint
-- The ledger is append-only (a statement trigger: COPY of inserts pays nothing for it).
CREATE FUNCTION "ledger_entries_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'ledger_entries is append-only' USING ERRCODE = 'check_violation';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "ledger_entries_append_only" BEFORE UPDATE OR DELETE OR TRUNCATE ON "ledger_entries" FOR EACH STATEMENT EXECUTE FUNCTION "ledger_entries_append_only"();--> statement-breakpoint
CREATE TABLE "recovery_items" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"payable_kind" text NOT NULL,
	"payable_id" uuid NOT NULL,
	"program" text NOT NULL,
	"period" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"cause" text NOT NULL,
	"note" text NOT NULL,
	"person_id" uuid,
	"household_id" uuid,
	"state" text NOT NULL,
	"recovered_fen" bigint DEFAULT 0 NOT NULL,
	"raised_by" text NOT NULL,
	"raised_at" timestamp (3) with time zone NOT NULL,
	"closed_by" text,
	"closed_at" timestamp (3) with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "recovery_items_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "recovery_items_cause_chk" CHECK ("recovery_items"."cause" in ('death','ineligible','stopped','other')),
	CONSTRAINT "recovery_items_state_chk" CHECK ("recovery_items"."state" in ('open','offset','collected','written_off','cancelled')),
	CONSTRAINT "recovery_items_amount_chk" CHECK ("recovery_items"."amount_fen" > 0 and "recovery_items"."recovered_fen" between 0 and "recovery_items"."amount_fen"),
	CONSTRAINT "recovery_items_period_chk" CHECK ("recovery_items"."period" ~ '^[0-9]{4}-((0[1-9]|1[0-2])|Q[1-4])$')
);
--> statement-breakpoint
CREATE UNIQUE INDEX "recovery_items_period_uq" ON "recovery_items" USING btree ("district_code","payable_id","period","cause") WHERE "recovery_items"."state" <> 'cancelled';
