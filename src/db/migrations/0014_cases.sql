-- 0014_cases: 社会救助一件事 — cases, their step records and the case-number counters (src/cases/schema.ts).
CREATE TABLE "cases" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"case_no" text NOT NULL,
	"kind" text DEFAULT 'application' NOT NULL,
	"household_id" uuid NOT NULL,
	"committee_code" text NOT NULL,
	"programs" text[] NOT NULL,
	"channel" text NOT NULL,
	"applicant_person_id" uuid NOT NULL,
	"contact_phone" text NOT NULL,
	"materials" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"required_steps" text[] DEFAULT '{}'::text[] NOT NULL,
	"decider" text DEFAULT 'district' NOT NULL,
	"applied_on" date NOT NULL,
	"state" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"due_on" date,
	"due_from" date,
	"due_working_days" integer,
	"due_provisional" boolean DEFAULT false NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"accepted_on" date,
	"verification_request_id" uuid,
	"relatives_flagged" boolean DEFAULT false NOT NULL,
	"relatives_matches" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"relatives_declared_by" text,
	"relatives_declared_at" timestamp (3) with time zone,
	"second_approver_required" boolean DEFAULT false NOT NULL,
	"first_approved_by" text,
	"first_approved_at" timestamp (3) with time zone,
	"pay_first" boolean DEFAULT false NOT NULL,
	"reason" text,
	"decided_at" timestamp (3) with time zone,
	"decided_by" text,
	"created_by" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "cases_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "cases_kind_chk" CHECK ("cases"."kind" in ('application','change','review')),
	CONSTRAINT "cases_decider_chk" CHECK ("cases"."decider" in ('district','street')),
	CONSTRAINT "cases_channel_chk" CHECK ("cases"."channel" in ('counter','online')),
	CONSTRAINT "cases_state_chk" CHECK ("cases"."state" in ('draft','returned','not_accepted','accepted','verifying','visit','evaluation','review','publicity','deciding','approved','denied','withdrawn')),
	CONSTRAINT "cases_programs_chk" CHECK (cardinality("cases"."programs") > 0),
	CONSTRAINT "cases_district_chk" CHECK ("cases"."district_code" ~ '^[0-9]{6}$')
);
--> statement-breakpoint
CREATE TABLE "case_counters" (
	"district_code" text NOT NULL,
	"year" integer NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "case_counters_district_code_year_pk" PRIMARY KEY("district_code","year")
);
--> statement-breakpoint
CREATE TABLE "case_visits" (
	"district_code" text NOT NULL,
	"case_id" uuid NOT NULL,
	"visited_on" date NOT NULL,
	"visitors" text[] NOT NULL,
	"checklist" jsonb NOT NULL,
	"notes" text NOT NULL,
	"photo_ids" uuid[] NOT NULL,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "case_visits_district_code_case_id_pk" PRIMARY KEY("district_code","case_id"),
	CONSTRAINT "case_visits_visitors_chk" CHECK (cardinality("case_visits"."visitors") > 0)
);
--> statement-breakpoint
CREATE TABLE "case_evaluations" (
	"district_code" text NOT NULL,
	"case_id" uuid NOT NULL,
	"held_on" date NOT NULL,
	"participants" text[] NOT NULL,
	"votes_for" integer NOT NULL,
	"votes_against" integer NOT NULL,
	"votes_abstain" integer NOT NULL,
	"opinion" text NOT NULL,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "case_evaluations_district_code_case_id_pk" PRIMARY KEY("district_code","case_id"),
	CONSTRAINT "case_evaluations_votes_chk" CHECK ("case_evaluations"."votes_for" >= 0 and "case_evaluations"."votes_against" >= 0 and "case_evaluations"."votes_abstain" >= 0)
);
--> statement-breakpoint
CREATE TABLE "case_reviews" (
	"district_code" text NOT NULL,
	"case_id" uuid NOT NULL,
	"opinion" text NOT NULL,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "case_reviews_district_code_case_id_pk" PRIMARY KEY("district_code","case_id")
);
--> statement-breakpoint
CREATE TABLE "case_publicity" (
	"district_code" text NOT NULL,
	"case_id" uuid NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"days" integer NOT NULL,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "case_publicity_district_code_case_id_pk" PRIMARY KEY("district_code","case_id"),
	CONSTRAINT "case_publicity_period_chk" CHECK ("case_publicity"."ends_on" >= "case_publicity"."starts_on" and "case_publicity"."days" > 0)
);
--> statement-breakpoint
CREATE TABLE "case_objections" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"case_id" uuid NOT NULL,
	"received_on" date NOT NULL,
	"content" text NOT NULL,
	"handling" text NOT NULL,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "case_objections_district_code_id_pk" PRIMARY KEY("district_code","id")
);
--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_household_fk" FOREIGN KEY ("district_code","household_id") REFERENCES "households"("district_code","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_visits" ADD CONSTRAINT "case_visits_case_fk" FOREIGN KEY ("district_code","case_id") REFERENCES "cases"("district_code","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_evaluations" ADD CONSTRAINT "case_evaluations_case_fk" FOREIGN KEY ("district_code","case_id") REFERENCES "cases"("district_code","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_reviews" ADD CONSTRAINT "case_reviews_case_fk" FOREIGN KEY ("district_code","case_id") REFERENCES "cases"("district_code","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_publicity" ADD CONSTRAINT "case_publicity_case_fk" FOREIGN KEY ("district_code","case_id") REFERENCES "cases"("district_code","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_objections" ADD CONSTRAINT "case_objections_case_fk" FOREIGN KEY ("district_code","case_id") REFERENCES "cases"("district_code","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "cases_no_uq" ON "cases" USING btree ("district_code","case_no");--> statement-breakpoint
CREATE INDEX "cases_queue_idx" ON "cases" USING btree ("district_code","state","due_on","id");--> statement-breakpoint
CREATE INDEX "cases_committee_queue_idx" ON "cases" USING btree ("district_code","committee_code","state","due_on","id");--> statement-breakpoint
CREATE INDEX "cases_due_idx" ON "cases" USING btree ("district_code","due_on","id");--> statement-breakpoint
CREATE INDEX "cases_household_idx" ON "cases" USING btree ("district_code","household_id");--> statement-breakpoint
CREATE INDEX "case_objections_case_idx" ON "case_objections" USING btree ("district_code","case_id");
