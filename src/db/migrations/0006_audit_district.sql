-- Audit rows carry the district of the record they concern, and the version of the serialisation their
-- hash was computed with. Existing rows keep hash version 1 (their hash does not cover the district, so
-- the backfill below leaves them verifiable); rows written from now on are version 2.
ALTER TABLE "audit_log" ADD COLUMN "district_code" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "hash_version" smallint DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "hash_version" DROP DEFAULT;--> statement-breakpoint
-- The district, from the most specific source an old row holds: the registry snapshot's district, the
-- changed user's division, the one district of an import, the export's scope, a seeded district; else
-- the actor's district; else the city (310000: failed logins of unknown users, system rows).
UPDATE "audit_log" AS a SET "district_code" = coalesce(
  (SELECT d FROM (VALUES
     (CASE WHEN a."entity_type" IN ('person', 'household', 'household_member')
           THEN left(coalesce(a."after" ->> 'districtCode', a."before" ->> 'districtCode'), 6) END, 1),
     (CASE WHEN a."entity_type" = 'user'
           THEN (SELECT left(u."division_code", 6) FROM "users" u WHERE u."id"::text = a."entity_id") END, 2),
     (CASE WHEN a."action" = 'registry.import' AND jsonb_typeof(a."after" -> 'districts') = 'array'
                AND jsonb_array_length(a."after" -> 'districts') = 1
           THEN a."after" -> 'districts' ->> 0 END, 3),
     (CASE WHEN a."action" = 'registry.export' THEN left(a."after" -> 'scope' ->> 'code', 6) END, 4),
     (CASE WHEN a."entity_type" = 'district' THEN a."entity_id" END, 5),
     (left(a."actor_division", 6), 6)
   ) AS candidates(d, rank)
   WHERE d ~ '^[0-9]{6}$' ORDER BY rank LIMIT 1),
  '310000');--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "district_code" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "audit_log_district_idx" ON "audit_log" USING btree ("district_code","id");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_member_person_idx" ON "audit_log" USING btree (split_part("entity_id", '/', 2)) WHERE "audit_log"."entity_type" = 'household_member';--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_district_chk" CHECK ("audit_log"."district_code" ~ '^[0-9]{6}$');--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_hash_version_chk" CHECK ("audit_log"."hash_version" in (1, 2));
