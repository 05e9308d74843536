DROP INDEX "households_street_idx";--> statement-breakpoint
DROP INDEX "household_members_person_idx";--> statement-breakpoint
DROP INDEX "households_no_uq";--> statement-breakpoint
DROP INDEX "persons_id_number_uq";--> statement-breakpoint
DROP INDEX "persons_name_idx";--> statement-breakpoint
DROP INDEX "persons_initials_idx";--> statement-breakpoint
DROP INDEX "persons_residence_idx";--> statement-breakpoint
DROP INDEX "persons_id_last4_idx";--> statement-breakpoint
ALTER TABLE "households" ADD COLUMN "head_name" text;--> statement-breakpoint
ALTER TABLE "households" ADD COLUMN "head_initials" text;--> statement-breakpoint
UPDATE "households" h SET "head_name" = p."name", "head_initials" = p."name_initials"
  FROM "household_members" m JOIN "persons" p ON p."district_code" = m."district_code" AND p."id" = m."person_id"
  WHERE m."district_code" = h."district_code" AND m."household_id" = h."id"
    AND m."valid_to" IS NULL AND m."relation_code" = '02';--> statement-breakpoint
CREATE INDEX "households_list_idx" ON "households" USING btree ("street_code","committee_code","household_no" collate "C","id","district_code");--> statement-breakpoint
CREATE INDEX "households_head_name_idx" ON "households" USING btree ("head_name" collate "C","household_no" collate "C","district_code","street_code","committee_code");--> statement-breakpoint
CREATE INDEX "households_head_initials_idx" ON "households" USING btree ("head_initials" collate "C","head_name" collate "C","household_no" collate "C","district_code","street_code","committee_code");--> statement-breakpoint
CREATE INDEX "household_members_person_idx" ON "household_members" USING btree ("person_id","district_code");--> statement-breakpoint
CREATE UNIQUE INDEX "households_no_uq" ON "households" USING btree ("household_no","district_code");--> statement-breakpoint
CREATE UNIQUE INDEX "persons_id_number_uq" ON "persons" USING btree ("id_number","district_code");--> statement-breakpoint
CREATE INDEX "persons_name_idx" ON "persons" USING btree ("name" collate "C","id","district_code","residence_division_code","death_date");--> statement-breakpoint
CREATE INDEX "persons_initials_idx" ON "persons" USING btree ("name_initials" collate "C","name" collate "C","id","district_code","residence_division_code","death_date");--> statement-breakpoint
CREATE INDEX "persons_residence_idx" ON "persons" USING btree ("residence_division_code" text_pattern_ops,"district_code");--> statement-breakpoint
CREATE INDEX "persons_id_last4_idx" ON "persons" USING btree (right("id_number", 4),"district_code");