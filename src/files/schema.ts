import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  customType,
  foreignKey,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * 文件与附件. A file is its content, named by its SHA-256 and stored once however many records it is
 * attached to; an attachment links a file to one record of any module (a person, a household, later a
 * case) with a kind and the name it was uploaded under. Attachments are never deleted: a removal is a
 * dated, audited mark, and the file stays for the timeline events and audit rows that name it.
 *
 * Distribution (Citus): `files` and `file_blobs` are keyed by content, shared by every district (a
 * reference table, or distributed by `sha256`); `attachments` is distributed by `district_code` and
 * co-located with the registry.
 */

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

/** One stored content: its digest, size, the type its bytes were recognised as, and where it lives. */
export const files = pgTable(
  'files',
  {
    sha256: text('sha256').primaryKey(),
    size: bigint('size', { mode: 'number' }).notNull(),
    /** The MIME type sniffed from the bytes (never the client's claim). */
    contentType: text('content_type').notNull(),
    /** 'disk': a file under the files folder; 'database': a row of file_blobs. */
    storage: text('storage').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string', precision: 3 }).notNull(),
  },
  (t) => [
    check('files_sha256_chk', sql`${t.sha256} ~ '^[0-9a-f]{64}$'`),
    check('files_storage_chk', sql`${t.storage} in ('disk', 'database')`),
    check('files_size_chk', sql`${t.size} >= 0`),
  ],
);

/** The contents of files stored in the database (a PostgreSQL server without MINZHENG_FILES_DIR). */
export const fileBlobs = pgTable(
  'file_blobs',
  {
    sha256: text('sha256').primaryKey(),
    content: bytea('content').notNull(),
  },
  (t) => [foreignKey({ columns: [t.sha256], foreignColumns: [files.sha256], name: 'file_blobs_file_fk' })],
);

/** 附件: a file attached to one record; removal sets removed_at/by/reason and keeps the row. */
export const attachments = pgTable(
  'attachments',
  {
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    /** The record's kind as the attachment-target registry names it: person, household, … */
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    /** 材料类型: a key of ATTACHMENT_KINDS (authorisation, identity, income, …). */
    kind: text('kind').notNull(),
    /** The name it was uploaded under (last path segment, no control characters): a label only. */
    name: text('name').notNull(),
    sha256: text('sha256').notNull(),
    uploadedBy: text('uploaded_by'),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true, mode: 'string', precision: 3 }).notNull(),
    removedAt: timestamp('removed_at', { withTimezone: true, mode: 'string', precision: 3 }),
    removedBy: text('removed_by'),
    removalReason: text('removal_reason'),
  },
  (t) => [
    primaryKey({ name: 'attachments_pk', columns: [t.districtCode, t.id] }),
    foreignKey({ columns: [t.sha256], foreignColumns: [files.sha256], name: 'attachments_file_fk' }),
    index('attachments_entity_idx').on(t.districtCode, t.entityType, t.entityId, t.uploadedAt),
    index('attachments_sha256_idx').on(t.sha256),
    check('attachments_district_chk', sql`${t.districtCode} ~ '^[0-9]{6}$'`),
    check('attachments_removal_chk', sql`(${t.removedAt} is null) = (${t.removalReason} is null)`),
  ],
);
