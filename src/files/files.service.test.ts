import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { divisionScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { selectRows } from '../db/sql.ts';
import { seedTwoStreets, type TwoStreets } from '../http/test-helpers.ts';
import { defineMachine, applyTransition, type MachineStore } from '../workflow/state-machine.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import { ConflictError } from '../workflow/workflow.errors.ts';
import {
  contentPath,
  databaseFileStore,
  diskFileStore,
  scratchFolder,
  sweepOrphanFiles,
  type FileStore,
} from './file-store.ts';
import { FilesError } from './files.errors.ts';
import { jpegBytes, pdfBytes, pngBytes } from './files.fixtures.ts';
import {
  attachFile,
  listAttachments,
  openAttachment,
  removeAttachment,
  requireAttachments,
  type AttachmentCaller,
  type EntityRef,
} from './files.service.ts';
import { newStagingPath, stageBytes, stagingFolder, type StagedFile } from './staging.ts';

/**
 * The files service on both databases, with the store each would use in production: the embedded store
 * keeps contents on disk, the PostgreSQL server in file_blobs. The disk-only behaviour (orphans, the
 * sweep, file modes) runs on the disk store of either database.
 */
describeStores('files and attachments', (ctx) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mz-files-'));
  const root = join(dataDir, 'files');
  let files: FileStore;
  let seeded: TwoStreets;
  const MAX = 1024 * 1024;
  const street: AttachmentCaller = { role: 'street_caseworker', scope: divisionScope('310110012') };
  const otherStreet: AttachmentCaller = { role: 'street_caseworker', scope: divisionScope('310110016') };
  const otherDistrict: AttachmentCaller = { role: 'admin', scope: divisionScope('310101') };
  const finance: AttachmentCaller = { role: 'finance_officer', scope: divisionScope('310110') };
  const actor: ActingContext = { userId: 'cli:tester', divisionCode: '310110012', reason: '测试上传' };
  let household: EntityRef;
  let person: EntityRef;

  const staged: string[] = [];
  async function stage(bytes: Buffer): Promise<StagedFile> {
    const path = await newStagingPath(dataDir);
    staged.push(path);
    return stageBytes(bytes, path);
  }
  const attach = (
    bytes: Buffer,
    name: string,
    options: { entity?: EntityRef; kind?: string; caller?: AttachmentCaller; store?: FileStore } = {},
  ) =>
    stage(bytes).then((file) =>
      inUnitOfWork(ctx.store, actor, (tx) =>
        attachFile(tx, options.store ?? files, options.caller ?? street, {
          entity: options.entity ?? household,
          kind: options.kind ?? 'income',
          name,
          staged: file,
          maxBytes: MAX,
        }),
      ),
    );
  const count = async (db: Db, table: 'files' | 'file_blobs' | 'attachments' | 'audit_log') => {
    const [row] = await selectRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from ${sql.identifier(table)}`,
    );
    return row?.n ?? 0;
  };
  const counts = async () => ({
    files: await count(ctx.store.db, 'files'),
    blobs: await count(ctx.store.db, 'file_blobs'),
    attachments: await count(ctx.store.db, 'attachments'),
    audit: await count(ctx.store.db, 'audit_log'),
    onDisk: contentsOnDisk().length,
  });
  function contentsOnDisk(): string[] {
    if (!existsSync(root)) return [];
    return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter(
      (p) => /[0-9a-f]{64}$/.test(p) && !p.startsWith('tmp'),
    );
  }
  async function refused(work: Promise<unknown>): Promise<Error> {
    try {
      await work;
    } catch (error) {
      return error as Error;
    }
    throw new Error('not refused');
  }

  beforeAll(async () => {
    files = ctx.kind === 'pglite' ? diskFileStore(root) : databaseFileStore();
    seeded = await seedTwoStreets(ctx.store);
    household = { entityType: 'household', districtCode: '310110', entityId: seeded.a.householdId };
    person = { entityType: 'person', districtCode: '310110', entityId: seeded.a.personId };
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  beforeEach(async () => {
    // Staged files are the caller's to discard: the tests do what the route's finally does.
    for (const path of staged.splice(0)) rmSync(path, { force: true });
    await mkdir(stagingFolder(dataDir), { recursive: true });
  });

  it('stores the same content once, however many records it is attached to', async () => {
    const before = await counts();
    const first = await attach(pdfBytes('once'), '收入证明.pdf');
    const second = await attach(pdfBytes('once'), '收入证明（副本）.pdf', {
      entity: person,
      kind: 'identity',
    });
    expect(second.sha256).toBe(first.sha256);
    const after = await counts();
    expect(after.files - before.files).toBe(1);
    expect(after.attachments - before.attachments).toBe(2);
    if (files.storage === 'disk') {
      expect(after.onDisk - before.onDisk).toBe(1);
      const path = contentPath(root, first.sha256);
      expect(statSync(path).mode & 0o777).toBe(0o400);
      expect(statSync(join(root, first.sha256.slice(0, 2))).mode & 0o777).toBe(0o700);
    } else {
      expect(after.blobs - before.blobs).toBe(1);
      expect(after.onDisk).toBe(0);
    }
    expect(first).toMatchObject({
      kind: 'income',
      kindName: '收入证明',
      name: '收入证明.pdf',
      contentType: 'application/pdf',
      typeName: 'PDF 文档',
      size: pdfBytes('once').length,
      uploadedBy: 'cli:tester',
      uploadedByName: '命令行（tester）',
      uploadedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/) as unknown,
      removedAt: null,
    });
  });

  it('refuses content that does not match its name, and writes nothing (no row, no file, no audit)', async () => {
    const before = await counts();
    const error = await refused(attach(pngBytes(7), '收入证明.pdf'));
    expect(error).toBeInstanceOf(FilesError);
    expect((error as FilesError).code).toBe('content_mismatch');
    expect(error.message).toContain('实际内容是PNG 图片');
    expect(await counts()).toEqual(before);
  });

  it('refuses a file over the size limit, an unknown kind, and writes nothing', async () => {
    const before = await counts();
    const big = Buffer.concat([pdfBytes('big'), Buffer.alloc(MAX)]);
    const tooLarge = await refused(attach(big, '大文件.pdf'));
    expect((tooLarge as FilesError).code).toBe('too_large');
    expect(tooLarge.message).toBe('文件「大文件.pdf」超过 1 MB 的上限');
    const kind = await refused(attach(pdfBytes('k'), 'a.pdf', { kind: 'selfie' }));
    expect((kind as FilesError).code).toBe('invalid');
    expect(kind.message).toContain('材料类型「selfie」不存在');
    expect(await counts()).toEqual(before);
  });

  it("attaches only to records inside the caller's scope, with the permission to write", async () => {
    const before = await counts();
    for (const caller of [otherStreet, otherDistrict]) {
      const error = await refused(attach(pdfBytes('scope'), 'a.pdf', { caller }));
      expect((error as FilesError).code).toBe('not_found');
      expect(error.message).toBe('家庭户不存在或不在您的数据范围内');
    }
    const forbidden = await refused(attach(pdfBytes('scope'), 'a.pdf', { caller: finance }));
    expect((forbidden as FilesError).code).toBe('forbidden');
    const unknown = await refused(
      attach(pdfBytes('scope'), 'a.pdf', { entity: { ...household, entityType: 'spaceship' } }),
    );
    expect((unknown as FilesError).code).toBe('not_found');
    expect(await counts()).toEqual(before);
  });

  it('lists, downloads (audited as a read) and removes (audited, with its reason, file kept)', async () => {
    const added = await attach(jpegBytes(), '身份证.jpg', { kind: 'identity' });
    const listed = await listAttachments(ctx.store.db, street, household);
    expect(listed.map((a) => a.id)).toContain(added.id);
    await expect(listAttachments(ctx.store.db, otherStreet, household)).rejects.toThrow('不在您的数据范围内');

    const downloader: ActingContext = { userId: 'cli:reader', divisionCode: '310110', reason: '下载附件' };
    const opened = await inUnitOfWork(ctx.store, downloader, (tx) =>
      openAttachment(tx, files, street, household, added.id),
    );
    expect(Buffer.from(await text(opened.content), 'latin1').length).toBeGreaterThan(0);
    const [read] = await selectRows<{
      actor_id: string;
      entity_id: string;
      district_code: string;
      after: { entityId: string; name: string };
    }>(
      ctx.store.db,
      sql`select actor_id, entity_id, district_code, after from audit_log where action = 'attachment.downloaded' order by id desc limit 1`,
    );
    expect(read).toMatchObject({
      actor_id: 'cli:reader',
      entity_id: added.id,
      district_code: '310110',
      after: { entityId: seeded.a.householdId, name: '身份证.jpg' },
    });
    // Out of scope: refused like an absent record, and nothing audited.
    const audited = await count(ctx.store.db, 'audit_log');
    await expect(
      inUnitOfWork(ctx.store, downloader, (tx) =>
        openAttachment(tx, files, otherDistrict, household, added.id),
      ),
    ).rejects.toThrow('不存在或不在您的数据范围内');
    expect(await count(ctx.store.db, 'audit_log')).toBe(audited);

    const remover: ActingContext = {
      userId: 'cli:tester',
      divisionCode: '310110012',
      reason: '上传错了文件',
    };
    const removed = await inUnitOfWork(ctx.store, remover, (tx) =>
      removeAttachment(tx, street, household, added.id),
    );
    expect(removed).toMatchObject({ removalReason: '上传错了文件', removedBy: 'cli:tester' });
    expect(removed.removedAt).not.toBeNull();
    expect((await listAttachments(ctx.store.db, street, household)).map((a) => a.id)).not.toContain(added.id);
    expect(
      (await listAttachments(ctx.store.db, street, household, { includeRemoved: true })).map((a) => a.id),
    ).toContain(added.id);
    const twice = await refused(
      inUnitOfWork(ctx.store, remover, (tx) => removeAttachment(tx, street, household, added.id)),
    );
    expect(twice).toBeInstanceOf(ConflictError);
    // The content stays: the removed attachment can still be downloaded (timelines name it).
    const again = await inUnitOfWork(ctx.store, downloader, (tx) =>
      openAttachment(tx, files, street, household, added.id),
    );
    expect((await text(again.content)).length).toBeGreaterThan(0);
    const [removal] = await selectRows<{ reason: string; before: unknown; after: { removedAt: string } }>(
      ctx.store.db,
      sql`select reason, before, after from audit_log where action = 'attachment.removed' order by id desc limit 1`,
    );
    expect(removal?.reason).toBe('上传错了文件');
  });

  it('lets a transition name attachments of its record, and refuses others', async () => {
    const letter = await attach(pdfBytes('authorisation'), '授权书.pdf', { kind: 'authorisation' });
    const elsewhere = await attach(pdfBytes('elsewhere'), '其他.pdf', { entity: person });
    const machine = defineMachine<'open' | 'done', null>({
      name: 'test.files',
      entityType: 'household',
      auditAction: 'household.updated',
      states: { open: '办理中', done: '已办结' },
      transitions: [
        { action: 'finish', label: '办结', from: ['open'], to: 'done', permission: 'registry.write' },
      ],
    });
    const state = { state: 'open' as 'open' | 'done', version: 1 };
    const entities: MachineStore<'open' | 'done'> = {
      load: (_tx, id) => Promise.resolve({ id, divisionCode: seeded.a.committeeCode, ...state }),
      save: async (tx, _id, expected, next) => {
        // A real owner compare-and-sets its row; here a row of ours stands in for the write.
        await tx.db.execute(sql`select 1`);
        if (expected.state !== state.state) return false;
        Object.assign(state, next);
        return true;
      },
    };
    await expect(
      inUnitOfWork(ctx.store, actor, async (tx) =>
        applyTransition(tx, machine, entities, {
          id: household.entityId,
          action: 'finish',
          role: 'street_caseworker',
          context: null,
          attachments: await requireAttachments(tx.db, household, [letter.id, elsewhere.id]),
        }),
      ),
    ).rejects.toThrow(`附件不存在、已移除或不属于该记录：${elsewhere.id}`);
    await inUnitOfWork(ctx.store, actor, async (tx) =>
      applyTransition(tx, machine, entities, {
        id: household.entityId,
        action: 'finish',
        role: 'street_caseworker',
        context: null,
        attachments: await requireAttachments(tx.db, household, [letter.id]),
      }),
    );
    const [event] = await selectRows<{ attachments: string[] }>(
      ctx.store.db,
      sql`select attachments from workflow_event where machine = 'test.files' order by id desc limit 1`,
    );
    expect(event?.attachments).toEqual([letter.id]);
  });

  it('disk store: a content written whose unit rolled back is an orphan that the sweep removes after its grace', async () => {
    const disk = diskFileStore(root);
    const before = await counts();
    const bytes = pdfBytes('rolled back');
    const file = await stage(bytes);
    await expect(
      inUnitOfWork(ctx.store, actor, async (tx) => {
        await attachFile(tx, disk, street, {
          entity: household,
          kind: 'other',
          name: 'x.pdf',
          staged: file,
          maxBytes: MAX,
        });
        throw new Error('the step after the attachment failed');
      }),
    ).rejects.toThrow('the step after');
    const orphan = contentPath(root, file.sha256);
    expect(existsSync(orphan)).toBe(true);
    const after = await counts();
    expect({ ...after, onDisk: before.onDisk }).toEqual(before);

    // Young orphans stay (an upload may be about to commit its row); old ones go; named contents stay.
    const kept = await attach(pdfBytes('kept'), 'kept.pdf', { store: disk });
    const long = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(contentPath(root, kept.sha256), long, long);
    expect((await sweepOrphanFiles(ctx.store.db, root, { graceMs: 86_400_000 })).removed).toBe(0);
    utimesSync(orphan, long, long);
    const report = await sweepOrphanFiles(ctx.store.db, root, { graceMs: 86_400_000 });
    expect(report.removed).toBe(1);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(contentPath(root, kept.sha256))).toBe(true);
  });

  it('disk store: reusing a stored content refreshes its time, so a sweep cannot take it from under the new row', async () => {
    const disk = diskFileStore(root);
    const first = await attach(pdfBytes('reused'), 'a.pdf', { store: disk });
    const path = contentPath(root, first.sha256);
    const long = new Date(Date.now() - 5 * 86_400_000);
    utimesSync(path, long, long);
    await attach(pdfBytes('reused'), 'b.pdf', { store: disk, entity: person });
    expect(Date.now() - statSync(path).mtimeMs).toBeLessThan(86_400_000);
    // A content lost from the folder is written again by the next upload of the same bytes.
    rmSync(path, { force: true });
    await attach(pdfBytes('reused'), 'c.pdf', { store: disk });
    expect(existsSync(path)).toBe(true);
  });

  it('disk store: the sweep clears dead copies from the scratch folder and restores a content it had moved aside', async () => {
    const disk = diskFileStore(root);
    const named = await attach(pdfBytes('aside'), 'aside.pdf', { store: disk });
    const scratch = scratchFolder(root);
    await mkdir(scratch, { recursive: true });
    const long = new Date(Date.now() - 2 * 86_400_000);
    // A sweep killed between moving a content aside and putting it back; a copy killed half-way.
    const path = contentPath(root, named.sha256);
    const aside = join(scratch, `999999-${named.sha256}.sweep`);
    writeFileSync(aside, pdfBytes('aside'));
    utimesSync(aside, long, long);
    rmSync(path, { force: true });
    const partial = join(scratch, '999999-0000.part');
    writeFileSync(partial, 'half');
    utimesSync(partial, long, long);
    const report = await sweepOrphanFiles(ctx.store.db, root, { graceMs: 86_400_000 });
    expect(report.scratch).toBe(1);
    expect(existsSync(partial)).toBe(false);
    expect(existsSync(path)).toBe(true);
    const opened = await inUnitOfWork(ctx.store, actor, (tx) =>
      openAttachment(tx, disk, street, household, named.id),
    );
    expect(await text(opened.content)).toBe(pdfBytes('aside').toString('latin1'));
  });

  it('reads contents stored either way, whichever store is configured now', async () => {
    const inDb = await attach(pngBytes(42), 'db.png', { store: databaseFileStore(), kind: 'other' });
    const onDisk = await attach(pngBytes(43), 'disk.png', { store: diskFileStore(root), kind: 'other' });
    const both = databaseFileStore(root);
    for (const attachment of [inDb, onDisk]) {
      const opened = await inUnitOfWork(ctx.store, actor, (tx) =>
        openAttachment(tx, both, street, household, attachment.id),
      );
      expect(Buffer.from(await text(opened.content), 'latin1').length).toBe(attachment.size);
    }
    // Without the folder, a content on disk is reported missing in Chinese; nothing is audited.
    const audited = await count(ctx.store.db, 'audit_log');
    await expect(
      inUnitOfWork(ctx.store, actor, (tx) =>
        openAttachment(tx, databaseFileStore(), street, household, onDisk.id),
      ),
    ).rejects.toThrow('未配置文件目录');
    expect(await count(ctx.store.db, 'audit_log')).toBe(audited);
  });
});
