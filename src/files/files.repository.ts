import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/store.ts';
import { attachments, fileBlobs, files } from './schema.ts';

/** The files module's SQL: files, their database contents and attachments. Only this file holds queries. */

export type FileRow = typeof files.$inferSelect;
export type Storage = 'disk' | 'database';

/** Inserts the file's row unless its content is known already; true when this call inserted it. */
export async function insertFile(db: Db, row: FileRow): Promise<boolean> {
  const inserted = await db
    .insert(files)
    .values(row)
    .onConflictDoNothing({ target: files.sha256 })
    .returning({ sha256: files.sha256 });
  return inserted.length > 0;
}

export async function findFile(db: Db, sha256: string): Promise<FileRow | undefined> {
  const [row] = await db.select().from(files).where(eq(files.sha256, sha256));
  return row;
}

/** Of these digests, those that have a file row. */
export async function knownFiles(db: Db, digests: readonly string[]): Promise<Set<string>> {
  if (digests.length === 0) return new Set();
  const rows = await db
    .select({ sha256: files.sha256 })
    .from(files)
    .where(inArray(files.sha256, [...digests]));
  return new Set(rows.map((r) => r.sha256));
}

export async function insertBlob(db: Db, sha256: string, content: Uint8Array): Promise<void> {
  await db.insert(fileBlobs).values({ sha256, content }).onConflictDoNothing({ target: fileBlobs.sha256 });
}

export async function readBlob(db: Db, sha256: string): Promise<Uint8Array | undefined> {
  const [row] = await db
    .select({ content: fileBlobs.content })
    .from(fileBlobs)
    .where(eq(fileBlobs.sha256, sha256));
  return row?.content;
}

export type AttachmentRecord = typeof attachments.$inferSelect;

/** An attachment with its file's size and type. */
export interface AttachmentRow extends AttachmentRecord {
  size: number;
  contentType: string;
  storage: Storage;
}

const attachmentColumns = {
  districtCode: attachments.districtCode,
  id: attachments.id,
  entityType: attachments.entityType,
  entityId: attachments.entityId,
  kind: attachments.kind,
  name: attachments.name,
  sha256: attachments.sha256,
  uploadedBy: attachments.uploadedBy,
  uploadedAt: attachments.uploadedAt,
  removedAt: attachments.removedAt,
  removedBy: attachments.removedBy,
  removalReason: attachments.removalReason,
  size: files.size,
  contentType: files.contentType,
  storage: sql<Storage>`${files.storage}`,
};

export async function insertAttachment(db: Db, row: AttachmentRecord): Promise<void> {
  await db.insert(attachments).values(row);
}

export interface EntityKey {
  districtCode: string;
  entityType: string;
  entityId: string;
}

const ofEntity = (key: EntityKey) =>
  and(
    eq(attachments.districtCode, key.districtCode),
    eq(attachments.entityType, key.entityType),
    eq(attachments.entityId, key.entityId),
  );

/** One attachment of one record (removed or not); undefined when the record has no such attachment. */
export async function findAttachment(db: Db, key: EntityKey, id: string): Promise<AttachmentRow | undefined> {
  const [row] = await db
    .select(attachmentColumns)
    .from(attachments)
    .innerJoin(files, eq(files.sha256, attachments.sha256))
    .where(and(ofEntity(key), eq(attachments.id, id)));
  return row;
}

/** A record's attachments, oldest first; removed ones only when asked. */
export async function listAttachmentRows(
  db: Db,
  key: EntityKey,
  options: { includeRemoved: boolean },
): Promise<AttachmentRow[]> {
  return db
    .select(attachmentColumns)
    .from(attachments)
    .innerJoin(files, eq(files.sha256, attachments.sha256))
    .where(and(ofEntity(key), options.includeRemoved ? undefined : isNull(attachments.removedAt)))
    .orderBy(asc(attachments.uploadedAt), asc(attachments.id));
}

/** Of these ids, the attachments of the record that are not removed. */
export async function liveAttachments(
  db: Db,
  key: EntityKey,
  ids: readonly string[],
): Promise<AttachmentRow[]> {
  if (ids.length === 0) return [];
  return db
    .select(attachmentColumns)
    .from(attachments)
    .innerJoin(files, eq(files.sha256, attachments.sha256))
    .where(and(ofEntity(key), inArray(attachments.id, [...ids]), isNull(attachments.removedAt)));
}

/**
 * Marks an attachment removed, only while it is not (compare-and-set on removed_at): true when this call
 * removed it.
 */
export async function markAttachmentRemoved(
  db: Db,
  key: EntityKey,
  id: string,
  removal: { at: string; by: string | null; reason: string },
): Promise<boolean> {
  const rows = await db
    .update(attachments)
    .set({ removedAt: removal.at, removedBy: removal.by, removalReason: removal.reason })
    .where(and(ofEntity(key), eq(attachments.id, id), isNull(attachments.removedAt)))
    .returning({ id: attachments.id });
  return rows.length > 0;
}
