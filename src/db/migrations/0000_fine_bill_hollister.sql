CREATE TABLE "divisions" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"level" text NOT NULL,
	"parent_code" text,
	"district_code" text,
	CONSTRAINT "divisions_level_chk" CHECK ("divisions"."level" in ('province','city','district','street','committee'))
);
--> statement-breakpoint
CREATE TABLE "household_members" (
	"district_code" text NOT NULL,
	"household_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"relation_code" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"seq" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "household_members_district_code_household_id_person_id_valid_from_pk" PRIMARY KEY("district_code","household_id","person_id","valid_from"),
	CONSTRAINT "household_members_dates_chk" CHECK ("household_members"."valid_to" is null or "household_members"."valid_to" >= "household_members"."valid_from")
);
--> statement-breakpoint
CREATE TABLE "households" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"household_no" text NOT NULL,
	"street_code" text NOT NULL,
	"committee_code" text NOT NULL,
	"address" text DEFAULT '' NOT NULL,
	"monetary_assets_fen" bigint DEFAULT 0 NOT NULL,
	"vehicles" smallint DEFAULT 0 NOT NULL,
	"homes" smallint DEFAULT 1 NOT NULL,
	"per_capita_floor_area_below_average" boolean DEFAULT false NOT NULL,
	"medical_expense_annual_fen" bigint DEFAULT 0 NOT NULL,
	"education_expense_annual_fen" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "households_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "households_assets_chk" CHECK ("households"."monetary_assets_fen" >= 0 and "households"."vehicles" >= 0 and "households"."homes" >= 0)
);
--> statement-breakpoint
CREATE TABLE "persons" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"id_number" text NOT NULL,
	"name" text NOT NULL,
	"name_initials" text NOT NULL,
	"sex" smallint NOT NULL,
	"birth_date" date NOT NULL,
	"death_date" date,
	"ethnicity" text,
	"marital_status" text,
	"phone" text,
	"hukou_division_code" text NOT NULL,
	"residence_division_code" text NOT NULL,
	"disability_category" smallint,
	"disability_grade" smallint,
	"employed" boolean DEFAULT false NOT NULL,
	"serious_illness" boolean DEFAULT false NOT NULL,
	"has_supporter" boolean DEFAULT true NOT NULL,
	"categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"wage_fen" bigint DEFAULT 0 NOT NULL,
	"pension_fen" bigint DEFAULT 0 NOT NULL,
	"other_income_fen" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "persons_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "persons_sex_chk" CHECK ("persons"."sex" in (0, 1, 2, 9)),
	CONSTRAINT "persons_disability_chk" CHECK (("persons"."disability_category" is null or "persons"."disability_category" between 1 and 7)
      and ("persons"."disability_grade" is null or "persons"."disability_grade" between 1 and 4)),
	CONSTRAINT "persons_income_chk" CHECK ("persons"."wage_fen" >= 0 and "persons"."pension_fen" >= 0 and "persons"."other_income_fen" >= 0)
);
--> statement-breakpoint
CREATE INDEX "divisions_parent_idx" ON "divisions" USING btree ("parent_code");--> statement-breakpoint
CREATE UNIQUE INDEX "household_members_current_uq" ON "household_members" USING btree ("district_code","person_id") WHERE "household_members"."valid_to" is null;--> statement-breakpoint
CREATE INDEX "household_members_person_idx" ON "household_members" USING btree ("district_code","person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "households_no_uq" ON "households" USING btree ("district_code","household_no");--> statement-breakpoint
CREATE INDEX "households_street_idx" ON "households" USING btree ("district_code","street_code","committee_code");--> statement-breakpoint
CREATE UNIQUE INDEX "persons_id_number_uq" ON "persons" USING btree ("district_code","id_number");--> statement-breakpoint
CREATE INDEX "persons_name_idx" ON "persons" USING btree ("district_code","name");--> statement-breakpoint
CREATE INDEX "persons_initials_idx" ON "persons" USING btree ("district_code","name_initials");--> statement-breakpoint
CREATE INDEX "persons_residence_idx" ON "persons" USING btree ("district_code","residence_division_code");