-- 网上申请 (src/cases/public): every application residents send through the public form, whether or not
-- the registry knows the applicant. A matched one points at the online draft case it created; an unmatched
-- one waits for the street to match it. The receipt code is what the applicant quotes on the status page.
CREATE TABLE "public_applications" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"receipt_no" text NOT NULL,
	"name" text NOT NULL,
	"id_number" text NOT NULL,
	"phone" text NOT NULL,
	"street_code" text NOT NULL,
	"address" text NOT NULL,
	"household_note" text NOT NULL,
	"programs" text[] NOT NULL,
	"consented_at" timestamp(3) with time zone NOT NULL,
	"state" text NOT NULL,
	"case_id" uuid,
	"request_id" text,
	"received_at" timestamp(3) with time zone NOT NULL,
	CONSTRAINT "public_applications_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "public_applications_state_chk" CHECK ("public_applications"."state" in ('drafted','unmatched')),
	CONSTRAINT "public_applications_case_chk" CHECK (("public_applications"."state" = 'drafted') = ("public_applications"."case_id" is not null)),
	CONSTRAINT "public_applications_programs_chk" CHECK (cardinality("public_applications"."programs") > 0),
	CONSTRAINT "public_applications_district_chk" CHECK ("public_applications"."district_code" ~ '^[0-9]{6}$')
);
--> statement-breakpoint
CREATE UNIQUE INDEX "public_applications_receipt_uq" ON "public_applications" USING btree ("district_code","receipt_no");
--> statement-breakpoint
CREATE INDEX "public_applications_street_idx" ON "public_applications" USING btree ("district_code","street_code","state","received_at");
--> statement-breakpoint
ALTER TABLE "public_applications" ADD CONSTRAINT "public_applications_case_fk" FOREIGN KEY ("district_code","case_id") REFERENCES "cases"("district_code","id") ON DELETE no action ON UPDATE no action;
