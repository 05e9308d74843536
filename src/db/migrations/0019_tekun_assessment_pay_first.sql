-- 特困人员认定 (a step of tekun cases) and 先行救助 (temporary assistance paid before verification).
ALTER TABLE "cases" DROP CONSTRAINT "cases_state_chk";--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_state_chk" CHECK ("cases"."state" in ('draft','returned','not_accepted','accepted','verifying','visit','tekun_assessment','evaluation','review','publicity','deciding','approved','denied','withdrawn'));--> statement-breakpoint
CREATE TABLE "case_tekun_assessments" (
	"district_code" text NOT NULL,
	"case_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"person_name" text NOT NULL,
	"supporters" jsonb NOT NULL,
	"has_supporter" boolean NOT NULL,
	"self_care" text NOT NULL,
	"eligible" boolean NOT NULL,
	"conclusion" text NOT NULL,
	"assessed_on" date NOT NULL,
	"assessor" text NOT NULL,
	"attachment_ids" uuid[] NOT NULL,
	"fact_ids" uuid[] NOT NULL,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "case_tekun_assessments_district_code_case_id_person_id_pk" PRIMARY KEY("district_code","case_id","person_id"),
	CONSTRAINT "case_tekun_assessments_self_care_chk" CHECK ("case_tekun_assessments"."self_care" in ('capable','partial','none')),
	CONSTRAINT "case_tekun_assessments_conclusion_chk" CHECK (not ("case_tekun_assessments"."eligible" and "case_tekun_assessments"."has_supporter")),
	CONSTRAINT "case_tekun_assessments_attachments_chk" CHECK (cardinality("case_tekun_assessments"."attachment_ids") > 0)
);
--> statement-breakpoint
CREATE TABLE "case_pay_first" (
	"district_code" text NOT NULL,
	"case_id" uuid NOT NULL,
	"program" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"limit_fen" bigint NOT NULL,
	"reason" text NOT NULL,
	"paid_on" date NOT NULL,
	"month" text NOT NULL,
	"entitlement_id" uuid NOT NULL,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	"settled_outcome" text,
	"counted_fen" bigint,
	"overpaid_fen" bigint,
	"overpaid_reason" text,
	"settled_at" timestamp (3) with time zone,
	CONSTRAINT "case_pay_first_district_code_case_id_program_pk" PRIMARY KEY("district_code","case_id","program"),
	CONSTRAINT "case_pay_first_amount_chk" CHECK ("case_pay_first"."amount_fen" > 0 and "case_pay_first"."amount_fen" <= "case_pay_first"."limit_fen"),
	CONSTRAINT "case_pay_first_month_chk" CHECK ("case_pay_first"."month" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
	CONSTRAINT "case_pay_first_settled_chk" CHECK (("case_pay_first"."settled_at" is null and "case_pay_first"."settled_outcome" is null and "case_pay_first"."counted_fen" is null and "case_pay_first"."overpaid_fen" is null)
        or ("case_pay_first"."settled_at" is not null and "case_pay_first"."settled_outcome" in ('granted','denied','withdrawn') and "case_pay_first"."counted_fen" >= 0 and "case_pay_first"."overpaid_fen" >= 0
            and "case_pay_first"."counted_fen" + "case_pay_first"."overpaid_fen" = "case_pay_first"."amount_fen"
            and ("case_pay_first"."overpaid_fen" = 0 or "case_pay_first"."overpaid_reason" is not null)))
);
--> statement-breakpoint
ALTER TABLE "case_tekun_assessments" ADD CONSTRAINT "case_tekun_assessments_case_fk" FOREIGN KEY ("district_code","case_id") REFERENCES "cases"("district_code","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_pay_first" ADD CONSTRAINT "case_pay_first_case_fk" FOREIGN KEY ("district_code","case_id") REFERENCES "cases"("district_code","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_pay_first" ADD CONSTRAINT "case_pay_first_entitlement_fk" FOREIGN KEY ("district_code","entitlement_id") REFERENCES "entitlements"("district_code","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- A pay-first entitlement rests on the case before any decision line exists: basis the case, rule pay_first.
ALTER TABLE "entitlements" DROP CONSTRAINT "entitlements_basis_chk";--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_basis_chk" CHECK (("entitlements"."case_id" is not null and "entitlements"."decision_program" is not null and "entitlements"."rule" is null)
        or ("entitlements"."case_id" is null and "entitlements"."decision_program" is null and "entitlements"."rule" is not null)
        or ("entitlements"."case_id" is not null and "entitlements"."decision_program" is null and "entitlements"."rule" = 'pay_first'));
