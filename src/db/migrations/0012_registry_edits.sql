-- Registry edits: a membership may end because the member's relation to the head changed (关系变更), and
-- a person moving to another district of the city is a transfer the receiving district accepts.
ALTER TABLE "household_members" DROP CONSTRAINT "household_members_end_reason_chk";--> statement-breakpoint
ALTER TABLE "household_members" ADD CONSTRAINT "household_members_end_reason_chk" CHECK ("household_members"."end_reason" is null or "household_members"."end_reason" in ('moved_out','moved','death','head_changed','relation_changed','correction','other'));--> statement-breakpoint
CREATE TABLE "person_transfers" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"from_committee_code" text NOT NULL,
	"from_household_id" uuid,
	"to_district_code" text NOT NULL,
	"to_committee_code" text,
	"move_date" date NOT NULL,
	"state" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"to_household_id" uuid,
	"to_relation_code" text,
	"created_by" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"decided_by" text,
	"decided_at" timestamp (3) with time zone,
	CONSTRAINT "person_transfers_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "person_transfers_state_chk" CHECK ("person_transfers"."state" in ('pending','accepted','refused','withdrawn')),
	CONSTRAINT "person_transfers_districts_chk" CHECK ("person_transfers"."district_code" ~ '^[0-9]{6}$' and "person_transfers"."to_district_code" ~ '^[0-9]{6}$' and "person_transfers"."to_district_code" <> "person_transfers"."district_code"),
	CONSTRAINT "person_transfers_accepted_chk" CHECK (("person_transfers"."state" = 'accepted') = ("person_transfers"."to_household_id" is not null and "person_transfers"."to_relation_code" is not null))
);--> statement-breakpoint
CREATE UNIQUE INDEX "person_transfers_pending_uq" ON "person_transfers" USING btree ("district_code","person_id") WHERE "person_transfers"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "person_transfers_incoming_idx" ON "person_transfers" USING btree ("to_district_code","state","created_at");--> statement-breakpoint
CREATE INDEX "person_transfers_person_idx" ON "person_transfers" USING btree ("person_id","district_code");
