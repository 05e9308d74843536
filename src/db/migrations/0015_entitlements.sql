-- 0015_entitlements: joint determination's decision lines, entitlements and their history (src/entitlements/schema.ts).
CREATE TABLE "case_decisions" (
	"district_code" text NOT NULL,
	"case_id" uuid NOT NULL,
	"program" text NOT NULL,
	"outcome" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"start_month" text NOT NULL,
	"month" text NOT NULL,
	"reasons" text[] NOT NULL,
	"engine_eligible" boolean,
	"engine_amount_fen" bigint,
	"explanation" text NOT NULL,
	"parameters" jsonb NOT NULL,
	"beneficiaries" jsonb NOT NULL,
	"report_request_id" uuid,
	"report_revision" integer,
	"report_no" text,
	"report_issued_on" date,
	"prepared_by" text,
	"prepared_at" timestamp (3) with time zone NOT NULL,
	"decided_by" text,
	"decided_at" timestamp (3) with time zone,
	CONSTRAINT "case_decisions_district_code_case_id_program_pk" PRIMARY KEY("district_code","case_id","program"),
	CONSTRAINT "case_decisions_outcome_chk" CHECK ("case_decisions"."outcome" in ('granted','denied')),
	CONSTRAINT "case_decisions_amount_chk" CHECK ("case_decisions"."amount_fen" >= 0 and ("case_decisions"."outcome" = 'granted' or "case_decisions"."amount_fen" = 0)),
	CONSTRAINT "case_decisions_reasons_chk" CHECK ("case_decisions"."outcome" = 'granted' or cardinality("case_decisions"."reasons") > 0),
	CONSTRAINT "case_decisions_month_chk" CHECK ("case_decisions"."start_month" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
	CONSTRAINT "case_decisions_report_chk" CHECK ("case_decisions"."outcome" = 'denied' or ("case_decisions"."report_request_id" is not null and "case_decisions"."engine_eligible")),
	CONSTRAINT "case_decisions_decided_chk" CHECK (("case_decisions"."decided_by" is null) or ("case_decisions"."decided_at" is not null))
);
--> statement-breakpoint
CREATE TABLE "entitlements" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"program" text NOT NULL,
	"beneficiary_kind" text NOT NULL,
	"beneficiary_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"person_id" uuid,
	"committee_code" text NOT NULL,
	"payee_person_id" uuid NOT NULL,
	"payee_role" text NOT NULL,
	"bank_name" text,
	"account_no" text,
	"schedule" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"from_month" text NOT NULL,
	"to_month" text,
	"state" text NOT NULL,
	"case_id" uuid,
	"decision_program" text,
	"rule" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "entitlements_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "entitlements_kind_chk" CHECK ("entitlements"."beneficiary_kind" in ('household','person')),
	CONSTRAINT "entitlements_beneficiary_chk" CHECK (("entitlements"."beneficiary_kind" = 'household' and "entitlements"."person_id" is null and "entitlements"."beneficiary_id" = "entitlements"."household_id")
        or ("entitlements"."beneficiary_kind" = 'person' and "entitlements"."person_id" is not null and "entitlements"."beneficiary_id" = "entitlements"."person_id")),
	CONSTRAINT "entitlements_payee_role_chk" CHECK ("entitlements"."payee_role" in ('beneficiary','guardian','household_member')),
	CONSTRAINT "entitlements_schedule_chk" CHECK ("entitlements"."schedule" in ('monthly','quarterly','once')),
	CONSTRAINT "entitlements_state_chk" CHECK ("entitlements"."state" in ('active','suspended','stopped')),
	CONSTRAINT "entitlements_amount_chk" CHECK ("entitlements"."amount_fen" >= 0),
	CONSTRAINT "entitlements_months_chk" CHECK ("entitlements"."from_month" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$' and ("entitlements"."to_month" is null or ("entitlements"."to_month" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$' and "entitlements"."to_month" >= "entitlements"."from_month"))),
	CONSTRAINT "entitlements_basis_chk" CHECK (("entitlements"."case_id" is not null and "entitlements"."decision_program" is not null and "entitlements"."rule" is null)
        or ("entitlements"."case_id" is null and "entitlements"."decision_program" is null and "entitlements"."rule" is not null)),
	CONSTRAINT "entitlements_account_chk" CHECK (("entitlements"."bank_name" is null) = ("entitlements"."account_no" is null))
);
--> statement-breakpoint
CREATE TABLE "entitlement_changes" (
	"district_code" text NOT NULL,
	"entitlement_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"kind" text NOT NULL,
	"before" jsonb,
	"after" jsonb NOT NULL,
	"reason" text NOT NULL,
	"case_id" uuid,
	"decision_program" text,
	"rule" text,
	"actor_id" text,
	"changed_on" date NOT NULL,
	"changed_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "entitlement_changes_district_code_entitlement_id_seq_pk" PRIMARY KEY("district_code","entitlement_id","seq"),
	CONSTRAINT "entitlement_changes_kind_chk" CHECK ("entitlement_changes"."kind" in ('created','amount_changed','suspended','stopped','restarted','payee_changed'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "entitlements_open_uq" ON "entitlements" USING btree ("district_code","program","beneficiary_id") WHERE "entitlements"."state" <> 'stopped' and "entitlements"."to_month" is null;--> statement-breakpoint
CREATE INDEX "entitlements_list_idx" ON "entitlements" USING btree ("district_code","committee_code","program","state");--> statement-breakpoint
CREATE INDEX "entitlements_household_idx" ON "entitlements" USING btree ("district_code","household_id");--> statement-breakpoint
CREATE INDEX "entitlements_case_idx" ON "entitlements" USING btree ("district_code","case_id");--> statement-breakpoint
ALTER TABLE "case_decisions" ADD CONSTRAINT "case_decisions_case_fk" FOREIGN KEY ("district_code","case_id") REFERENCES "cases"("district_code","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_decision_fk" FOREIGN KEY ("district_code","case_id","decision_program") REFERENCES "case_decisions"("district_code","case_id","program") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_household_fk" FOREIGN KEY ("district_code","household_id") REFERENCES "households"("district_code","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entitlement_changes" ADD CONSTRAINT "entitlement_changes_entitlement_fk" FOREIGN KEY ("district_code","entitlement_id") REFERENCES "entitlements"("district_code","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- A decided line is the record of a decision: never changed, never deleted (issue 10, bad input).
CREATE FUNCTION "case_decisions_decided_guard"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF OLD."decided_at" IS NOT NULL THEN
		RAISE EXCEPTION 'case_decisions: a decided line cannot be changed or deleted' USING ERRCODE = 'check_violation';
	END IF;
	IF TG_OP = 'DELETE' THEN
		RETURN OLD;
	END IF;
	RETURN NEW;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "case_decisions_decided_guard" BEFORE UPDATE OR DELETE ON "case_decisions" FOR EACH ROW EXECUTE FUNCTION "case_decisions_decided_guard"();--> statement-breakpoint
-- The change history is append-only.
CREATE FUNCTION "entitlement_changes_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'entitlement_changes is append-only' USING ERRCODE = 'check_violation';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "entitlement_changes_append_only" BEFORE UPDATE OR DELETE ON "entitlement_changes" FOR EACH ROW EXECUTE FUNCTION "entitlement_changes_append_only"();
