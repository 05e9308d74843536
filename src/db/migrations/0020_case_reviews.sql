-- 0020_case_reviews: 复审与变更 (src/cases/schema.ts caseChanges, caseReviewSchedules; docs/cases.md 复审与变更).
CREATE TABLE "case_changes" (
	"district_code" text NOT NULL,
	"case_id" uuid NOT NULL,
	"change_kind" text NOT NULL,
	"occurred_on" date NOT NULL,
	"effective_month" text NOT NULL,
	"note" text NOT NULL,
	"subject_person_id" uuid,
	"recheck_job_id" uuid,
	"exit" boolean NOT NULL,
	"reported_by" text,
	"reported_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "case_changes_district_code_case_id_pk" PRIMARY KEY("district_code","case_id"),
	CONSTRAINT "case_changes_kind_chk" CHECK ("case_changes"."change_kind" in ('income','members','death','moved_out','recheck','other')),
	CONSTRAINT "case_changes_month_chk" CHECK ("case_changes"."effective_month" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
	CONSTRAINT "case_changes_recheck_chk" CHECK ("case_changes"."change_kind" <> 'recheck' or "case_changes"."recheck_job_id" is not null)
);
--> statement-breakpoint
ALTER TABLE "case_changes" ADD CONSTRAINT "case_changes_case_fk" FOREIGN KEY ("district_code","case_id") REFERENCES "cases"("district_code","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE TABLE "case_review_schedules" (
	"district_code" text NOT NULL,
	"household_id" uuid NOT NULL,
	"program" text NOT NULL,
	"committee_code" text NOT NULL,
	"household_type" text NOT NULL,
	"interval_months" integer NOT NULL,
	"base_month" text NOT NULL,
	"next_due_month" text,
	"last_review_case_id" uuid,
	"last_reviewed_month" text,
	"basis_case_id" uuid NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "case_review_schedules_district_code_household_id_program_pk" PRIMARY KEY("district_code","household_id","program"),
	CONSTRAINT "case_review_schedules_type_chk" CHECK ("case_review_schedules"."household_type" in ('labour','no_labour')),
	CONSTRAINT "case_review_schedules_interval_chk" CHECK ("case_review_schedules"."interval_months" >= 0)
);
--> statement-breakpoint
CREATE INDEX "case_review_schedules_due_idx" ON "case_review_schedules" USING btree ("district_code","next_due_month","committee_code");--> statement-breakpoint
ALTER TABLE "case_review_schedules" ADD CONSTRAINT "case_review_schedules_household_fk" FOREIGN KEY ("district_code","household_id") REFERENCES "households"("district_code","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_review_schedules" ADD CONSTRAINT "case_review_schedules_basis_fk" FOREIGN KEY ("district_code","basis_case_id") REFERENCES "cases"("district_code","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- The month from which a change of an entitlement applies (an amount changed or a stop by a decision).
ALTER TABLE "entitlement_changes" ADD COLUMN "effective_month" text;
