-- 0030_dashboard_figures: the dashboard's change mark (the newest registry audit row of a district) and its
-- special-category count without a scan (docs/registry.md, 人口概况).
CREATE INDEX IF NOT EXISTS "audit_log_district_entity_idx" ON "audit_log" USING btree ("district_code","entity_type","id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "persons_categories_idx" ON "persons" USING btree ("district_code","residence_division_code") WHERE "persons"."categories" <> '{}'::text[];
