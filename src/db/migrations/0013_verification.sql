-- 居民家庭经济状况核对 (src/verification): authorisations, requests and their source queries, raw answers,
-- report revisions, objections, cross-region packages and peer keys, and the re-verification change list.
CREATE TABLE "verification_answers" (
	"district_code" text NOT NULL,
	"request_id" uuid NOT NULL,
	"source" text NOT NULL,
	"person_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"amount_fen" bigint,
	"quantity" integer,
	"flag" boolean,
	"text_value" text,
	"reference" text DEFAULT '' NOT NULL,
	"received_at" timestamp(3) with time zone NOT NULL,
	"late" boolean DEFAULT false NOT NULL,
	CONSTRAINT "verification_answers_district_code_request_id_source_person_id_kind_pk" PRIMARY KEY("district_code","request_id","source","person_id","kind")
);
--> statement-breakpoint
CREATE TABLE "verification_authorisations" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"person_ids" uuid[] NOT NULL,
	"signed_on" date NOT NULL,
	"valid_until" date,
	"standing" boolean DEFAULT false NOT NULL,
	"ended_on" date,
	"end_reason" text,
	"attachment_id" uuid NOT NULL,
	"created_by" text,
	"created_at" timestamp(3) with time zone NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "verification_authorisations_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "verification_authorisations_period_chk" CHECK (("verification_authorisations"."standing" and "verification_authorisations"."valid_until" is null) or (not "verification_authorisations"."standing" and "verification_authorisations"."valid_until" > "verification_authorisations"."signed_on")),
	CONSTRAINT "verification_authorisations_members_chk" CHECK (cardinality("verification_authorisations"."person_ids") > 0),
	CONSTRAINT "verification_authorisations_end_chk" CHECK (("verification_authorisations"."ended_on" is null) = ("verification_authorisations"."end_reason" is null))
);
--> statement-breakpoint
CREATE TABLE "verification_changes" (
	"district_code" text NOT NULL,
	"job_id" uuid NOT NULL,
	"request_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"person_id" uuid,
	"kind" text NOT NULL,
	"program" text NOT NULL,
	"old_value" bigint,
	"new_value" bigint,
	"source" text NOT NULL,
	"as_of" date NOT NULL,
	"affects_eligibility" boolean NOT NULL,
	"affects_amount" boolean NOT NULL,
	"created_at" timestamp(3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "verification_objections" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"request_id" uuid NOT NULL,
	"revision" integer NOT NULL,
	"grounds" text NOT NULL,
	"claims" jsonb NOT NULL,
	"attachment_ids" uuid[] NOT NULL,
	"state" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"filed_by" text,
	"filed_at" timestamp(3) with time zone NOT NULL,
	"decided_by" text,
	"decided_at" timestamp(3) with time zone,
	"decision" text,
	CONSTRAINT "verification_objections_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "verification_objections_state_chk" CHECK ("verification_objections"."state" in ('open','upheld','rejected'))
);
--> statement-breakpoint
CREATE TABLE "verification_packages" (
	"package_id" uuid PRIMARY KEY NOT NULL,
	"direction" text NOT NULL,
	"district_code" text NOT NULL,
	"request_id" uuid,
	"peer_region" text NOT NULL,
	"peer_authority" text NOT NULL,
	"sha256" text NOT NULL,
	"expires_at" timestamp(3) with time zone NOT NULL,
	"created_at" timestamp(3) with time zone NOT NULL,
	CONSTRAINT "verification_packages_direction_chk" CHECK ("verification_packages"."direction" in ('request-out','request-in','answer-out','answer-in'))
);
--> statement-breakpoint
CREATE TABLE "verification_peer_keys" (
	"key_id" text PRIMARY KEY NOT NULL,
	"region" text NOT NULL,
	"authority" text NOT NULL,
	"public_key" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"added_by" text,
	"added_at" timestamp(3) with time zone NOT NULL,
	CONSTRAINT "verification_peer_keys_key_chk" CHECK ("verification_peer_keys"."public_key" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
CREATE TABLE "verification_reports" (
	"district_code" text NOT NULL,
	"request_id" uuid NOT NULL,
	"revision" integer NOT NULL,
	"report_no" text NOT NULL,
	"body" jsonb NOT NULL,
	"flag_count" integer NOT NULL,
	"created_by" text,
	"created_at" timestamp(3) with time zone NOT NULL,
	"reason" text NOT NULL,
	CONSTRAINT "verification_reports_district_code_request_id_revision_pk" PRIMARY KEY("district_code","request_id","revision")
);
--> statement-breakpoint
CREATE TABLE "verification_requests" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"request_no" text NOT NULL,
	"household_id" uuid NOT NULL,
	"committee_code" text NOT NULL,
	"purpose" text NOT NULL,
	"origin" text NOT NULL,
	"person_ids" uuid[] NOT NULL,
	"authorisation_ids" uuid[] NOT NULL,
	"as_of" date NOT NULL,
	"state" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"partial" boolean DEFAULT false NOT NULL,
	"due_due" date NOT NULL,
	"due_from" date NOT NULL,
	"due_working_days" integer NOT NULL,
	"due_rule" text NOT NULL,
	"due_provisional" boolean NOT NULL,
	"job_id" uuid,
	"exchange_ref" text,
	"created_by" text,
	"created_at" timestamp(3) with time zone NOT NULL,
	"reported_at" timestamp(3) with time zone,
	CONSTRAINT "verification_requests_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "verification_requests_state_chk" CHECK ("verification_requests"."state" in ('received','gathering','reported','in_review','reviewed','withdrawn')),
	CONSTRAINT "verification_requests_origin_chk" CHECK ("verification_requests"."origin" in ('application','recheck','exchange')),
	CONSTRAINT "verification_requests_district_chk" CHECK ("verification_requests"."district_code" ~ '^[0-9]{6}$')
);
--> statement-breakpoint
CREATE TABLE "verification_source_queries" (
	"district_code" text NOT NULL,
	"request_id" uuid NOT NULL,
	"source" text NOT NULL,
	"state" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"batch_ref" text,
	"sent_at" timestamp(3) with time zone,
	"expires_at" timestamp(3) with time zone,
	"answered_at" timestamp(3) with time zone,
	"error" text,
	CONSTRAINT "verification_source_queries_district_code_request_id_source_pk" PRIMARY KEY("district_code","request_id","source"),
	CONSTRAINT "verification_source_queries_state_chk" CHECK ("verification_source_queries"."state" in ('pending','sent','answered','failed','timed_out'))
);
--> statement-breakpoint
CREATE INDEX "verification_authorisations_household_idx" ON "verification_authorisations" USING btree ("district_code","household_id","purpose");--> statement-breakpoint
CREATE INDEX "verification_authorisations_standing_idx" ON "verification_authorisations" USING btree ("district_code","purpose","household_id") WHERE "verification_authorisations"."standing" and "verification_authorisations"."ended_on" is null;--> statement-breakpoint
CREATE INDEX "verification_changes_job_idx" ON "verification_changes" USING btree ("district_code","job_id","household_id");--> statement-breakpoint
CREATE INDEX "verification_changes_household_idx" ON "verification_changes" USING btree ("district_code","household_id","as_of");--> statement-breakpoint
CREATE INDEX "verification_objections_request_idx" ON "verification_objections" USING btree ("district_code","request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "verification_objections_open_uq" ON "verification_objections" USING btree ("district_code","request_id") WHERE "verification_objections"."state" = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX "verification_requests_no_uq" ON "verification_requests" USING btree ("district_code","request_no");--> statement-breakpoint
CREATE INDEX "verification_requests_list_idx" ON "verification_requests" USING btree ("district_code","committee_code","created_at");--> statement-breakpoint
CREATE INDEX "verification_requests_household_idx" ON "verification_requests" USING btree ("district_code","household_id");--> statement-breakpoint
CREATE INDEX "verification_requests_open_idx" ON "verification_requests" USING btree ("district_code","due_due") WHERE "verification_requests"."state" in ('received','gathering');--> statement-breakpoint
CREATE INDEX "verification_requests_due_provisional_idx" ON "verification_requests" USING btree ("due_due") WHERE "verification_requests"."due_provisional";--> statement-breakpoint
CREATE INDEX "verification_source_queries_work_idx" ON "verification_source_queries" USING btree ("district_code","source","state") WHERE "verification_source_queries"."state" in ('pending','sent');