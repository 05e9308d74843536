-- The job runner (src/jobs): long work runs as jobs, in batches; each batch commits its writes, its audit
-- record and the job's cursor together. Schedules enqueue jobs at cron times (Asia/Shanghai).
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"district_code" text NOT NULL,
	"division_code" text NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"idempotency_key" text,
	"state" text DEFAULT 'queued' NOT NULL,
	"total" bigint,
	"done" bigint DEFAULT 0 NOT NULL,
	"cursor" jsonb,
	"version" integer DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer NOT NULL,
	"run_after" timestamp (3) with time zone NOT NULL,
	"lease_owner" text,
	"lease_expires_at" timestamp (3) with time zone,
	"result" jsonb,
	"error" text,
	"created_by" text,
	"actor_division" text,
	"reason" text NOT NULL,
	"request_id" text,
	"schedule_name" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"started_at" timestamp (3) with time zone,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"finished_at" timestamp (3) with time zone,
	CONSTRAINT "jobs_state_chk" CHECK ("jobs"."state" in ('queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled')),
	CONSTRAINT "jobs_district_chk" CHECK ("jobs"."district_code" ~ '^[0-9]{6}$'),
	CONSTRAINT "jobs_progress_chk" CHECK ("jobs"."done" >= 0 and ("jobs"."total" is null or "jobs"."total" >= 0))
);
--> statement-breakpoint
CREATE TABLE "job_schedules" (
	"name" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"cron" text NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"district_code" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"next_run_at" timestamp (3) with time zone,
	"last_run_at" timestamp (3) with time zone,
	"last_job_id" uuid,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "job_schedules_district_chk" CHECK ("job_schedules"."district_code" ~ '^[0-9]{6}$')
);
--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_idempotency_uq" ON "jobs" USING btree ("kind","idempotency_key") WHERE "jobs"."idempotency_key" is not null and "jobs"."state" not in ('failed', 'cancelled');--> statement-breakpoint
CREATE INDEX "jobs_queued_idx" ON "jobs" USING btree ("run_after") WHERE "jobs"."state" = 'queued';--> statement-breakpoint
CREATE INDEX "jobs_leased_idx" ON "jobs" USING btree ("lease_expires_at") WHERE "jobs"."state" in ('running', 'cancelling');--> statement-breakpoint
CREATE INDEX "jobs_district_idx" ON "jobs" USING btree ("district_code","created_at");--> statement-breakpoint
CREATE INDEX "job_schedules_due_idx" ON "job_schedules" USING btree ("next_run_at") WHERE "job_schedules"."enabled";
