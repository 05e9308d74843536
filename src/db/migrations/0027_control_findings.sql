-- 0027_control_findings: 内控发现 — what the internal-control rules found (src/controls/schema.ts; docs/controls.md).
CREATE TABLE "control_findings" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"rule" text NOT NULL,
	"severity" text NOT NULL,
	"run_id" uuid,
	"month" text,
	"subject_kind" text NOT NULL,
	"subject_key" text NOT NULL,
	"line_no" integer,
	"payable_id" uuid,
	"person_id" uuid,
	"household_id" uuid,
	"case_id" uuid,
	"description" text NOT NULL,
	"state" text NOT NULL,
	"resolution" text,
	"owner_id" text,
	"due_on" date NOT NULL,
	"found_at" timestamp (3) with time zone NOT NULL,
	"checked_at" timestamp (3) with time zone NOT NULL,
	"check_id" uuid NOT NULL,
	"resolved_by" text,
	"resolved_at" timestamp (3) with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "control_findings_district_code_id_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "control_findings_severity_chk" CHECK ("control_findings"."severity" in ('blocking','warning')),
	CONSTRAINT "control_findings_state_chk" CHECK ("control_findings"."state" in ('open','resolved','dismissed')),
	CONSTRAINT "control_findings_subject_chk" CHECK ("control_findings"."subject_kind" in ('line','payable','person','household','case')),
	CONSTRAINT "control_findings_resolution_chk" CHECK (("control_findings"."state" = 'open') = ("control_findings"."resolution" is null)
        and ("control_findings"."state" = 'open') = ("control_findings"."resolved_at" is null))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "control_findings_open_uq" ON "control_findings" USING btree ("district_code","rule","subject_key") WHERE "control_findings"."state" = 'open';--> statement-breakpoint
CREATE INDEX "control_findings_subject_idx" ON "control_findings" USING btree ("district_code","rule","subject_key");--> statement-breakpoint
CREATE INDEX "control_findings_run_idx" ON "control_findings" USING btree ("district_code","run_id","state");--> statement-breakpoint
CREATE INDEX "control_findings_list_idx" ON "control_findings" USING btree ("district_code","state","due_on","id");
