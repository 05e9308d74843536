-- 社区救助顾问 (src/advisers): advisers' caseloads, visits, needs assessments, support plans and their
-- actions, referrals. A record may belong to a case of the household (社会救助一件事, 0014): case_id is
-- nullable, and (district_code, case_id) references the case when set.
CREATE TABLE "adviser_assignments" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"committee_code" text NOT NULL,
	"state" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" text,
	"created_at" timestamp(3) with time zone NOT NULL,
	"updated_at" timestamp(3) with time zone NOT NULL,
	"adviser_id" uuid NOT NULL,
	"assigned_on" date NOT NULL,
	"ended_on" date,
	CONSTRAINT "adviser_assignments_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "adviser_assignments_state_chk" CHECK ("adviser_assignments"."state" in ('active','ended')),
	CONSTRAINT "adviser_assignments_end_chk" CHECK (("adviser_assignments"."state" = 'ended') = ("adviser_assignments"."ended_on" is not null))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "adviser_assignments_active_uq" ON "adviser_assignments" USING btree ("district_code","household_id") WHERE "adviser_assignments"."state" = 'active';
--> statement-breakpoint
CREATE INDEX "adviser_assignments_adviser_idx" ON "adviser_assignments" USING btree ("district_code","adviser_id") WHERE "adviser_assignments"."state" = 'active';
--> statement-breakpoint
CREATE TABLE "adviser_visits" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"committee_code" text NOT NULL,
	"state" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" text,
	"created_at" timestamp(3) with time zone NOT NULL,
	"updated_at" timestamp(3) with time zone NOT NULL,
	"case_id" uuid,
	"visited_on" date NOT NULL,
	"mode" text NOT NULL,
	"notes" text NOT NULL,
	CONSTRAINT "adviser_visits_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "adviser_visits_mode_chk" CHECK ("adviser_visits"."mode" in ('home','phone','interview')),
	CONSTRAINT "adviser_visits_state_chk" CHECK ("adviser_visits"."state" = 'recorded')
);
--> statement-breakpoint
CREATE INDEX "adviser_visits_household_idx" ON "adviser_visits" USING btree ("district_code","household_id","visited_on");
--> statement-breakpoint
CREATE TABLE "adviser_assessments" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"committee_code" text NOT NULL,
	"state" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" text,
	"created_at" timestamp(3) with time zone NOT NULL,
	"updated_at" timestamp(3) with time zone NOT NULL,
	"case_id" uuid,
	"assessed_on" date NOT NULL,
	"items" jsonb NOT NULL,
	"summary" text NOT NULL,
	CONSTRAINT "adviser_assessments_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "adviser_assessments_state_chk" CHECK ("adviser_assessments"."state" = 'recorded')
);
--> statement-breakpoint
CREATE INDEX "adviser_assessments_household_idx" ON "adviser_assessments" USING btree ("district_code","household_id","assessed_on");
--> statement-breakpoint
CREATE TABLE "adviser_plans" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"committee_code" text NOT NULL,
	"state" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" text,
	"created_at" timestamp(3) with time zone NOT NULL,
	"updated_at" timestamp(3) with time zone NOT NULL,
	"case_id" uuid,
	"kind" text NOT NULL,
	"goals" text NOT NULL,
	"review_on" date NOT NULL,
	CONSTRAINT "adviser_plans_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "adviser_plans_kind_chk" CHECK ("adviser_plans"."kind" in ('companion','long_term','whole_course')),
	CONSTRAINT "adviser_plans_state_chk" CHECK ("adviser_plans"."state" in ('draft','active','completed','terminated'))
);
--> statement-breakpoint
CREATE INDEX "adviser_plans_household_idx" ON "adviser_plans" USING btree ("district_code","household_id");
--> statement-breakpoint
CREATE UNIQUE INDEX "adviser_plans_open_uq" ON "adviser_plans" USING btree ("district_code","household_id") WHERE "adviser_plans"."state" in ('draft','active');
--> statement-breakpoint
CREATE TABLE "adviser_plan_actions" (
	"district_code" text NOT NULL,
	"plan_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"title" text NOT NULL,
	"due_on" date NOT NULL,
	"status" text NOT NULL,
	"done_on" date,
	CONSTRAINT "adviser_plan_actions_district_code_plan_id_seq_pk" PRIMARY KEY("district_code","plan_id","seq"),
	CONSTRAINT "adviser_plan_actions_plan_fk" FOREIGN KEY ("district_code","plan_id") REFERENCES "adviser_plans"("district_code","id") ON DELETE CASCADE,
	CONSTRAINT "adviser_plan_actions_status_chk" CHECK ("adviser_plan_actions"."status" in ('open','done','dropped')),
	CONSTRAINT "adviser_plan_actions_done_chk" CHECK (("adviser_plan_actions"."status" = 'done') = ("adviser_plan_actions"."done_on" is not null))
);
--> statement-breakpoint
CREATE INDEX "adviser_plan_actions_open_idx" ON "adviser_plan_actions" USING btree ("district_code","plan_id","due_on") WHERE "adviser_plan_actions"."status" = 'open';
--> statement-breakpoint
CREATE TABLE "adviser_referrals" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"committee_code" text NOT NULL,
	"state" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" text,
	"created_at" timestamp(3) with time zone NOT NULL,
	"updated_at" timestamp(3) with time zone NOT NULL,
	"case_id" uuid,
	"referred_on" date NOT NULL,
	"target_kind" text NOT NULL,
	"target" text NOT NULL,
	"notes" text NOT NULL,
	"outcome" text,
	"outcome_on" date,
	CONSTRAINT "adviser_referrals_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "adviser_referrals_kind_chk" CHECK ("adviser_referrals"."target_kind" in ('program','service','agency')),
	CONSTRAINT "adviser_referrals_state_chk" CHECK ("adviser_referrals"."state" in ('referred','accepted','declined')),
	CONSTRAINT "adviser_referrals_outcome_chk" CHECK (("adviser_referrals"."state" = 'referred') = ("adviser_referrals"."outcome_on" is null))
);
--> statement-breakpoint
CREATE INDEX "adviser_referrals_household_idx" ON "adviser_referrals" USING btree ("district_code","household_id");
--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT "users_role_chk";
--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_role_chk" CHECK ("users"."role" in ('committee_assistant','street_caseworker','district_approver','verification_officer','finance_officer','auditor','admin','assistance_adviser'));
--> statement-breakpoint
ALTER TABLE "adviser_visits" ADD CONSTRAINT "adviser_visits_case_fk" FOREIGN KEY ("district_code","case_id") REFERENCES "cases"("district_code","id");
--> statement-breakpoint
ALTER TABLE "adviser_assessments" ADD CONSTRAINT "adviser_assessments_case_fk" FOREIGN KEY ("district_code","case_id") REFERENCES "cases"("district_code","id");
--> statement-breakpoint
ALTER TABLE "adviser_plans" ADD CONSTRAINT "adviser_plans_case_fk" FOREIGN KEY ("district_code","case_id") REFERENCES "cases"("district_code","id");
--> statement-breakpoint
ALTER TABLE "adviser_referrals" ADD CONSTRAINT "adviser_referrals_case_fk" FOREIGN KEY ("district_code","case_id") REFERENCES "cases"("district_code","id");
