-- 近亲属备案 (src/relatives): staff members' links to their own person record, residents' committee
-- members without accounts, and the close relatives they declare.
CREATE TABLE "staff_links" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"kind" text NOT NULL,
	"user_id" uuid,
	"division_code" text NOT NULL,
	"name" text NOT NULL,
	"committee_role" text,
	"id_number" text NOT NULL,
	"person_id" uuid,
	"linked_by" text NOT NULL,
	"ended_on" date,
	"created_at" timestamp(3) with time zone NOT NULL,
	"updated_at" timestamp(3) with time zone NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "staff_links_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "staff_links_kind_chk" CHECK ("staff_links"."kind" in ('user','committee')),
	CONSTRAINT "staff_links_kind_fields_chk" CHECK (("staff_links"."kind" = 'user' and "staff_links"."user_id" is not null and "staff_links"."committee_role" is null)
      or ("staff_links"."kind" = 'committee' and "staff_links"."user_id" is null and "staff_links"."committee_role" is not null))
);
--> statement-breakpoint
CREATE TABLE "relative_declarations" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"relation_code" text NOT NULL,
	"relative_name" text NOT NULL,
	"relative_id_number" text NOT NULL,
	"relative_person_id" uuid,
	"declared_on" date NOT NULL,
	"ended_on" date,
	"end_reason" text,
	"declared_by" text NOT NULL,
	"ended_by" text,
	"created_at" timestamp(3) with time zone NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "relative_declarations_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "relative_declarations_end_chk" CHECK (("relative_declarations"."ended_on" is null) = ("relative_declarations"."end_reason" is null)),
	CONSTRAINT "relative_declarations_dates_chk" CHECK ("relative_declarations"."ended_on" is null or "relative_declarations"."ended_on" >= "relative_declarations"."declared_on")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "staff_links_user_uq" ON "staff_links" USING btree ("user_id","district_code") WHERE "staff_links"."user_id" is not null;--> statement-breakpoint
CREATE INDEX "staff_links_person_idx" ON "staff_links" USING btree ("person_id","district_code") WHERE "staff_links"."ended_on" is null;--> statement-breakpoint
CREATE INDEX "staff_links_division_idx" ON "staff_links" USING btree ("division_code" text_pattern_ops,"district_code");--> statement-breakpoint
CREATE INDEX "relative_declarations_staff_idx" ON "relative_declarations" USING btree ("district_code","staff_id");--> statement-breakpoint
CREATE INDEX "relative_declarations_id_number_idx" ON "relative_declarations" USING btree ("relative_id_number","district_code");--> statement-breakpoint
CREATE INDEX "relative_declarations_person_idx" ON "relative_declarations" USING btree ("relative_person_id","district_code") WHERE "relative_declarations"."relative_person_id" is not null;
