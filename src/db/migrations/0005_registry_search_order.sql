DROP INDEX "households_street_idx";--> statement-breakpoint
DROP INDEX "persons_name_idx";--> statement-breakpoint
DROP INDEX "persons_initials_idx";--> statement-breakpoint
ALTER TABLE "households" ADD COLUMN "head_name" text;--> statement-breakpoint
ALTER TABLE "households" ADD COLUMN "head_initials" text;--> statement-breakpoint
UPDATE "households" h SET "head_name" = p."name", "head_initials" = p."name_initials"
  FROM "household_members" m JOIN "persons" p ON p."district_code" = m."district_code" AND p."id" = m."person_id"
  WHERE m."district_code" = h."district_code" AND m."household_id" = h."id"
    AND m."valid_to" IS NULL AND m."relation_code" = '02';--> statement-breakpoint
CREATE INDEX "households_list_idx" ON "households" USING btree ("district_code","street_code","committee_code","household_no" collate "C","id");--> statement-breakpoint
CREATE INDEX "households_head_name_idx" ON "households" USING btree ("district_code","head_name" collate "C","household_no" collate "C","street_code","committee_code");--> statement-breakpoint
CREATE INDEX "households_head_initials_idx" ON "households" USING btree ("district_code","head_initials" collate "C","head_name" collate "C","household_no" collate "C","street_code","committee_code");--> statement-breakpoint
CREATE INDEX "persons_name_idx" ON "persons" USING btree ("district_code","name" collate "C","id","residence_division_code","death_date");--> statement-breakpoint
CREATE INDEX "persons_initials_idx" ON "persons" USING btree ("district_code","name_initials" collate "C","name" collate "C","id","residence_division_code","death_date");