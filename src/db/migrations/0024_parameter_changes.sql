-- 政策参数调整 (src/parameter-changes, docs/parameter-changes.md): dated values proposed by one policy
-- officer and approved by another, merged over the shipped parameter files. A trigger sends NOTIFY at the
-- commit of an approval, so that every process reloads the parameters in force (Store.listen).
CREATE TABLE "parameter_changes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"parameter_path" text NOT NULL,
	"district_code" text,
	"value" bigint NOT NULL,
	"effective" text NOT NULL,
	"decided_on" text,
	"document_no" text NOT NULL,
	"source" text NOT NULL,
	"status" text NOT NULL,
	"note" text,
	"state" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"proposed_by" text NOT NULL,
	"proposed_at" timestamp(3) with time zone NOT NULL,
	"reason" text NOT NULL,
	"decided_by" text,
	"decided_at" timestamp(3) with time zone,
	"decision_reason" text,
	CONSTRAINT "parameter_changes_state_chk" CHECK ("parameter_changes"."state" in ('proposed','approved','rejected','withdrawn')),
	CONSTRAINT "parameter_changes_status_chk" CHECK ("parameter_changes"."status" in ('given','found','secondary','inferred','unverified','assumption')),
	CONSTRAINT "parameter_changes_district_chk" CHECK ("parameter_changes"."district_code" ~ '^31[0-9]{4}$'),
	CONSTRAINT "parameter_changes_effective_chk" CHECK ("parameter_changes"."effective" ~ '^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$'),
	CONSTRAINT "parameter_changes_decided_on_chk" CHECK ("parameter_changes"."decided_on" ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
	CONSTRAINT "parameter_changes_value_chk" CHECK ("parameter_changes"."value" >= 0),
	CONSTRAINT "parameter_changes_decided_chk" CHECK (("parameter_changes"."state" = 'proposed') = ("parameter_changes"."decided_at" is null and "parameter_changes"."decided_by" is null)),
	CONSTRAINT "parameter_changes_four_eyes_chk" CHECK ("parameter_changes"."state" not in ('approved','rejected') or "parameter_changes"."decided_by" <> "parameter_changes"."proposed_by")
);
--> statement-breakpoint
CREATE INDEX "parameter_changes_path_idx" ON "parameter_changes" USING btree ("parameter_path","proposed_at");
--> statement-breakpoint
CREATE INDEX "parameter_changes_approved_idx" ON "parameter_changes" USING btree ("decided_at") WHERE "parameter_changes"."state" = 'approved';
--> statement-breakpoint
CREATE FUNCTION notify_parameters_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('minzheng_parameters', '');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER parameter_changes_approved AFTER UPDATE ON "parameter_changes"
  FOR EACH ROW WHEN (NEW.state = 'approved' AND OLD.state IS DISTINCT FROM 'approved')
  EXECUTE FUNCTION notify_parameters_changed();
--> statement-breakpoint
-- 政策管理员 (policy_officer): the role list recreated with every existing role.
ALTER TABLE "users" DROP CONSTRAINT "users_role_chk";
--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_role_chk" CHECK ("users"."role" in ('committee_assistant','street_caseworker','district_approver','verification_officer','finance_officer','auditor','admin','assistance_adviser','policy_officer'));
