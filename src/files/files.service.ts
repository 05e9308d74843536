import { actorName } from '../auth/actor-name.ts';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { mayAct, type Acting } from '../auth/roles.ts';
import type { DataScope } from '../auth/scope.ts';
import { findUserById } from '../auth/user.repository.ts';
import { textProblem, visibleLength } from '../core/text.ts';
import type { Db } from '../db/store.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import { ConflictError } from '../workflow/workflow.errors.ts';
import {
  ATTACHMENT_KINDS,
  attachmentTarget,
  isAttachmentKind,
  type AttachmentKind,
  type AttachmentTarget,
} from './attachment-targets.ts';
import { checkContent, FILE_TYPES, fileTypeOfMime } from './content-type.ts';
import type { FileStore } from './file-store.ts';
import { FilesError } from './files.errors.ts';
import {
  findAttachment,
  findFile,
  insertAttachment,
  insertFile,
  listAttachmentRows,
  liveAttachments,
  markAttachmentRemoved,
  type AttachmentRow,
  type EntityKey,
} from './files.repository.ts';
import type { StagedFile } from './staging.ts';

/**
 * 附件: files attached to records. Every function starts from the record: the caller's role must hold the
 * target's permission (403) and the record must lie in the caller's scope (404, as if absent). Writes take
 * the unit of work's `tx` and record one audit entry each; a download is recorded like a read of the
 * record (who took which file of which record).
 */

/** Who asks: a user's role and scope, or the system (a job) which sees everything. */
export interface AttachmentCaller {
  role: Acting;
  scope: DataScope;
}

/** A record of a module that takes attachments. */
export interface EntityRef {
  entityType: string;
  districtCode: string;
  entityId: string;
}

export interface AttachmentView {
  id: string;
  districtCode: string;
  entityType: string;
  entityId: string;
  kind: string;
  kindName: string;
  name: string;
  size: number;
  contentType: string;
  /** PDF 文档, JPEG 图片, … */
  typeName: string;
  sha256: string;
  uploadedBy: string | null;
  uploadedByName: string;
  uploadedAt: string;
  removedAt: string | null;
  removedBy: string | null;
  removedByName: string | null;
  removalReason: string | null;
}

interface Located {
  target: AttachmentTarget;
  /** The record's division (its first six digits: the district its audit rows are filed under). */
  divisionCode: string;
  key: EntityKey;
}

/**
 * The record, checked for the caller: a known entity type, the permission for `need`, and in scope.
 * Exported for modules that attach on the caller's behalf inside a larger step.
 */
export async function locateEntity(
  db: Db,
  caller: AttachmentCaller,
  ref: EntityRef,
  need: 'read' | 'write',
): Promise<Located> {
  const target = attachmentTarget(ref.entityType);
  if (!target) throw new FilesError('not_found', `不支持给「${ref.entityType}」添加附件`);
  const permission = need === 'read' ? target.readPermission : target.writePermission;
  if (!mayAct(caller.role, permission)) {
    throw new FilesError(
      'forbidden',
      need === 'read' ? `您没有查看${target.label}附件的权限` : `您没有为${target.label}上传或移除附件的权限`,
    );
  }
  const divisionCode = /^\d{6}$/.test(ref.districtCode)
    ? await target.locate(db, caller.scope, ref.districtCode, ref.entityId)
    : undefined;
  if (!divisionCode) throw new FilesError('not_found', `${target.label}不存在或不在您的数据范围内`);
  return {
    target,
    divisionCode,
    key: { districtCode: ref.districtCode, entityType: ref.entityType, entityId: ref.entityId },
  };
}

/** The name a file keeps: a label only (never a path), checked like any text a user types. */
function checkedName(name: string): string {
  const clean = name.normalize('NFC').trim();
  if (!clean) throw new FilesError('invalid', '缺少文件名');
  if (textProblem(clean) || /[\\/]/.test(clean)) throw new FilesError('invalid', '文件名含有不允许的字符');
  if (visibleLength(clean) > 120) throw new FilesError('invalid', '文件名过长（最多 120 个字）');
  return clean;
}

function checkedKind(kind: string): AttachmentKind {
  if (!isAttachmentKind(kind)) {
    throw new FilesError(
      'invalid',
      `材料类型「${kind}」不存在，可选：${Object.values(ATTACHMENT_KINDS).join('、')}`,
    );
  }
  return kind;
}

export interface AttachInput {
  entity: EntityRef;
  kind: string;
  /** The name the file was uploaded or generated under; its extension must match the content. */
  name: string;
  staged: StagedFile;
  /** The size limit (bytes); refused above it. */
  maxBytes: number;
}

/**
 * 上传附件: checks the record, the kind, the name and the content (by its bytes, against the name), then
 * stores the content once under its digest and links it to the record. Refused input writes nothing.
 */
export async function attachFile(
  tx: WorkTx,
  files: FileStore,
  caller: AttachmentCaller,
  input: AttachInput,
): Promise<AttachmentView> {
  const located = await locateEntity(tx.db, caller, input.entity, 'write');
  const kind = checkedKind(input.kind);
  const name = checkedName(input.name);
  const { staged } = input;
  if (staged.size > input.maxBytes) {
    throw new FilesError('too_large', `文件「${name}」超过 ${sizeText(input.maxBytes)} 的上限`);
  }
  const type = await checkContent(staged.path, staged.size, name);
  const at = tx.now.toISOString();
  const existing = await findFile(tx.db, staged.sha256);
  if (existing) {
    // Stored once: a content already on disk gets its time refreshed (and is rewritten if it was lost).
    if (existing.storage === 'disk' && files.root) await files.put(tx, staged, 'disk');
  } else {
    await insertFile(tx.db, {
      sha256: staged.sha256,
      size: staged.size,
      contentType: FILE_TYPES[type].mime,
      storage: files.storage,
      createdAt: at,
    });
    await files.put(tx, staged);
  }
  const id = randomUUID();
  await insertAttachment(tx.db, {
    districtCode: located.key.districtCode,
    id,
    entityType: located.key.entityType,
    entityId: located.key.entityId,
    kind,
    name,
    sha256: staged.sha256,
    uploadedBy: tx.actor.userId,
    uploadedAt: at,
    removedAt: null,
    removedBy: null,
    removalReason: null,
  });
  tx.record({
    action: 'attachment.added',
    entityType: 'attachment',
    entityId: id,
    district: located.divisionCode,
    after: {
      entityType: located.key.entityType,
      entityId: located.key.entityId,
      kind,
      name,
      sha256: staged.sha256,
      size: staged.size,
      contentType: FILE_TYPES[type].mime,
    },
  });
  return presentOne(tx.db, located.key, id);
}

/** 附件列表 of one record, oldest first; removed ones too when asked (with who removed them and why). */
export async function listAttachments(
  db: Db,
  caller: AttachmentCaller,
  entity: EntityRef,
  options: { includeRemoved?: boolean } = {},
): Promise<AttachmentView[]> {
  const { key } = await locateEntity(db, caller, entity, 'read');
  return present(db, await listAttachmentRows(db, key, { includeRemoved: options.includeRemoved === true }));
}

/**
 * 移除附件: marks it removed with the unit's reason (required), keeping the row and the file: the timeline
 * events and audit rows that name it still resolve. Removing twice is a conflict.
 */
export async function removeAttachment(
  tx: WorkTx,
  caller: AttachmentCaller,
  entity: EntityRef,
  attachmentId: string,
): Promise<AttachmentView> {
  const { key, divisionCode } = await locateEntity(tx.db, caller, entity, 'write');
  const row = isUuid(attachmentId) ? await findAttachment(tx.db, key, attachmentId) : undefined;
  if (!row) throw new FilesError('not_found', '附件不存在');
  const at = tx.now.toISOString();
  const removed = await markAttachmentRemoved(tx.db, key, attachmentId, {
    at,
    by: tx.actor.userId,
    reason: tx.actor.reason,
  });
  if (!removed) {
    throw new ConflictError('wrong_state', `附件「${row.name}」已经移除，不能再次移除`, {
      state: 'removed',
    });
  }
  tx.record({
    action: 'attachment.removed',
    entityType: 'attachment',
    entityId: attachmentId,
    district: divisionCode,
    before: { entityType: key.entityType, entityId: key.entityId, name: row.name, removedAt: null },
    after: { entityType: key.entityType, entityId: key.entityId, name: row.name, removedAt: at },
  });
  return presentOne(tx.db, key, attachmentId);
}

export interface OpenedAttachment {
  attachment: AttachmentView;
  content: Readable;
}

/**
 * 下载附件: the content of one attachment (removed ones too: they are evidence that timeline events name),
 * recorded in the unit as a read: who took which file of which record. The caller commits the unit before
 * sending the content, so no content leaves without its audit row.
 */
export async function openAttachment(
  tx: WorkTx,
  files: FileStore,
  caller: AttachmentCaller,
  entity: EntityRef,
  attachmentId: string,
): Promise<OpenedAttachment> {
  const { key, divisionCode } = await locateEntity(tx.db, caller, entity, 'read');
  const row = isUuid(attachmentId) ? await findAttachment(tx.db, key, attachmentId) : undefined;
  if (!row) throw new FilesError('not_found', '附件不存在');
  const content = await files.read(tx.db, row);
  tx.record({
    action: 'attachment.downloaded',
    entityType: 'attachment',
    entityId: attachmentId,
    district: divisionCode,
    after: {
      entityType: key.entityType,
      entityId: key.entityId,
      name: row.name,
      sha256: row.sha256,
      size: row.size,
    },
  });
  const [attachment] = await present(tx.db, [row]);
  if (!attachment) throw new Error('attachment vanished while presented');
  return { attachment, content };
}

/**
 * The ids a step names (a state-machine transition's `attachments`), checked: each a current attachment of
 * this record. Call it in the same unit as `applyTransition`, with the ids the user picked from the list.
 */
export async function requireAttachments(
  db: Db,
  entity: EntityRef,
  ids: readonly string[],
  kind?: AttachmentKind,
): Promise<string[]> {
  const unique = [...new Set(ids)];
  const bad = unique.filter((id) => !isUuid(id));
  const found = await liveAttachments(
    db,
    { districtCode: entity.districtCode, entityType: entity.entityType, entityId: entity.entityId },
    unique.filter(isUuid),
  );
  const present = new Set(found.map((row) => row.id));
  const missing = [...bad, ...unique.filter((id) => isUuid(id) && !present.has(id))];
  if (missing.length > 0) {
    throw new FilesError('not_found', `附件不存在、已移除或不属于该记录：${missing.join('、')}`);
  }
  const otherKind = kind === undefined ? [] : found.filter((row) => row.kind !== kind);
  if (otherKind.length > 0) {
    throw new FilesError(
      'not_found',
      `附件「${otherKind.map((row) => row.name).join('、')}」不是${ATTACHMENT_KINDS[kind ?? 'other']}`,
    );
  }
  return unique;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (value: string) => UUID.test(value);

/** 12 KB, 3.4 MB: sizes as the console shows them. */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  const mb = bytes / 1024 / 1024;
  return Number.isInteger(mb) ? `${mb} MB` : `${mb.toFixed(1)} MB`;
}

async function userNames(db: Db, ids: Iterable<string | null>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of new Set(ids)) {
    if (id === null || names.has(id) || !UUID.test(id)) continue;
    const user = await findUserById(db, id);
    if (user) names.set(id, user.displayName);
  }
  return names;
}

/** An attachment as written by this unit, read back as every reader sees it. */
async function presentOne(db: Db, key: EntityKey, id: string): Promise<AttachmentView> {
  const row = await findAttachment(db, key, id);
  const [view] = row ? await present(db, [row]) : [];
  if (!view) throw new Error(`attachment ${id} not found after writing it`);
  return view;
}

/** A timestamp as PostgreSQL writes it ('2026-05-01 08:30:00.123+00') → ISO 8601 UTC. */
function instant(value: string): string;
function instant(value: string | null): string | null;
function instant(value: string | null): string | null {
  if (value === null) return null;
  const iso = value.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00');
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

async function present(db: Db, rows: readonly AttachmentRow[]): Promise<AttachmentView[]> {
  const names = await userNames(
    db,
    rows.flatMap((r) => [r.uploadedBy, r.removedBy]),
  );
  const nameOf = (id: string | null) => actorName(id, (userId) => names.get(userId));
  return rows.map((r) => {
    const type = fileTypeOfMime(r.contentType);
    return {
      id: r.id,
      districtCode: r.districtCode,
      entityType: r.entityType,
      entityId: r.entityId,
      kind: r.kind,
      kindName: isAttachmentKind(r.kind) ? ATTACHMENT_KINDS[r.kind] : r.kind,
      name: r.name,
      size: r.size,
      contentType: r.contentType,
      typeName: type ? FILE_TYPES[type].label : r.contentType,
      sha256: r.sha256,
      uploadedBy: r.uploadedBy,
      uploadedByName: nameOf(r.uploadedBy),
      uploadedAt: instant(r.uploadedAt),
      removedAt: instant(r.removedAt),
      removedBy: r.removedAt === null ? null : r.removedBy,
      removedByName: r.removedAt === null ? null : nameOf(r.removedBy),
      removalReason: r.removalReason,
    };
  });
}
