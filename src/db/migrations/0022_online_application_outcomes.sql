-- 网上申请的街道办结 (src/cases/public/outcome.service.ts): an application the registry could not match is
-- either matched by the street to a household now in the registry (a draft case is created: `matched`) or
-- closed with an outcome after the street called the applicant (`closed`). Each change is a compare-and-set
-- on state and version. 0018 is applied in deployments and stays as it is; this widens its checks.
ALTER TABLE "public_applications" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
ALTER TABLE "public_applications" ADD COLUMN "outcome" text;
--> statement-breakpoint
ALTER TABLE "public_applications" ADD COLUMN "outcome_note" text;
--> statement-breakpoint
ALTER TABLE "public_applications" ADD COLUMN "handled_by" text;
--> statement-breakpoint
ALTER TABLE "public_applications" ADD COLUMN "handled_at" timestamp(3) with time zone;
--> statement-breakpoint
ALTER TABLE "public_applications" DROP CONSTRAINT "public_applications_state_chk";
--> statement-breakpoint
ALTER TABLE "public_applications" DROP CONSTRAINT "public_applications_case_chk";
--> statement-breakpoint
ALTER TABLE "public_applications" ADD CONSTRAINT "public_applications_state_chk" CHECK ("public_applications"."state" in ('drafted','unmatched','matched','closed'));
--> statement-breakpoint
ALTER TABLE "public_applications" ADD CONSTRAINT "public_applications_case_chk" CHECK (("public_applications"."state" in ('drafted','matched')) = ("public_applications"."case_id" is not null));
--> statement-breakpoint
ALTER TABLE "public_applications" ADD CONSTRAINT "public_applications_outcome_chk" CHECK (("public_applications"."state" = 'closed') = ("public_applications"."outcome" is not null));
--> statement-breakpoint
ALTER TABLE "public_applications" ADD CONSTRAINT "public_applications_handled_chk" CHECK (("public_applications"."state" in ('matched','closed')) = ("public_applications"."handled_at" is not null));
