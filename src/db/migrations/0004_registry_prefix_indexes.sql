DROP INDEX "persons_name_idx";--> statement-breakpoint
DROP INDEX "persons_initials_idx";--> statement-breakpoint
DROP INDEX "persons_residence_idx";--> statement-breakpoint
CREATE INDEX "persons_name_idx" ON "persons" USING btree ("district_code","name" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "persons_initials_idx" ON "persons" USING btree ("district_code","name_initials" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "persons_residence_idx" ON "persons" USING btree ("district_code","residence_division_code" text_pattern_ops);