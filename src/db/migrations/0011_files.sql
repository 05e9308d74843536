-- Files and attachments: contents named by their SHA-256 and stored once (on disk, or in file_blobs on a
-- PostgreSQL server without a files folder); attachments link a file to a record of any module and are
-- removed by an audited mark, never deleted.
CREATE TABLE "files" (
	"sha256" text PRIMARY KEY NOT NULL,
	"size" bigint NOT NULL,
	"content_type" text NOT NULL,
	"storage" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "files_sha256_chk" CHECK ("files"."sha256" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "files_storage_chk" CHECK ("files"."storage" in ('disk', 'database')),
	CONSTRAINT "files_size_chk" CHECK ("files"."size" >= 0)
);--> statement-breakpoint
CREATE TABLE "file_blobs" (
	"sha256" text PRIMARY KEY NOT NULL,
	"content" bytea NOT NULL
);--> statement-breakpoint
CREATE TABLE "attachments" (
	"district_code" text NOT NULL,
	"id" uuid NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"sha256" text NOT NULL,
	"uploaded_by" text,
	"uploaded_at" timestamp (3) with time zone NOT NULL,
	"removed_at" timestamp (3) with time zone,
	"removed_by" text,
	"removal_reason" text,
	CONSTRAINT "attachments_pk" PRIMARY KEY("district_code","id"),
	CONSTRAINT "attachments_district_chk" CHECK ("attachments"."district_code" ~ '^[0-9]{6}$'),
	CONSTRAINT "attachments_removal_chk" CHECK (("attachments"."removed_at" is null) = ("attachments"."removal_reason" is null))
);--> statement-breakpoint
ALTER TABLE "file_blobs" ADD CONSTRAINT "file_blobs_file_fk" FOREIGN KEY ("sha256") REFERENCES "files"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_file_fk" FOREIGN KEY ("sha256") REFERENCES "files"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attachments_entity_idx" ON "attachments" USING btree ("district_code","entity_type","entity_id","uploaded_at");--> statement-breakpoint
CREATE INDEX "attachments_sha256_idx" ON "attachments" USING btree ("sha256");
