import { OPERATOR } from '../auth/roles.ts';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sql } from 'drizzle-orm';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, serverUrl } from '../../test/support/stores.ts';
import { readHead } from '../audit/audit.repository.ts';
import {
  createCheckpoint,
  readCheckpointText,
  verifyCheckpoints,
  type AuditFiles,
} from '../audit/checkpoint.service.ts';
import { loadSigningKey } from '../audit/signing-key.ts';
import { verifyAuditChain } from '../audit/verify.service.ts';
import { ALL } from '../auth/scope.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { DataDirLockedError } from '../db/data-dir-lock.ts';
import { selectRows } from '../db/sql.ts';
import { openPglite, type Store } from '../db/store.ts';
import { contentPath, diskFileStore } from '../files/file-store.ts';
import { pdfBytes } from '../files/files.fixtures.ts';
import { attachFile, openAttachment, type AttachmentView, type EntityRef } from '../files/files.service.ts';
import { newStagingPath, stageBytes } from '../files/staging.ts';
import { seedTwoStreets } from '../http/test-helpers.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import { backupName, checksumPath, listBackupFiles, sha256OfFile } from './backup-archive.ts';
import { BackupError } from './backup.errors.ts';
import { backupSettings, listBackups, takeBackup, type BackupSettings } from './backup.service.ts';
import { restoreBackup, type RestoreOptions } from './restore.service.ts';

const admin: ActingContext = { userId: 'admin-1', divisionCode: '310000', reason: '测试备份' };
const roots: string[] = [];
/** Each opens PGlite several times; the machine the suite runs on may be busy. */
const SLOW = 300_000;

function newRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'mz-backup-'));
  roots.push(root);
  return root;
}

function settingsFor(root: string, keep = 7): BackupSettings {
  return backupSettings({
    MINZHENG_DATA_DIR: root,
    MINZHENG_BACKUP_KEEP: keep,
    MINZHENG_BACKUP_SCHEDULE: '0 2 * * *',
  });
}

const filesFor = (root: string): AuditFiles => ({
  keyFile: join(root, 'audit-signing-key.pem'),
  checkpointFile: join(root, 'audit-checkpoints.jsonl'),
});

function restoreOptions(root: string, file: string, extra: Partial<RestoreOptions> = {}): RestoreOptions {
  return {
    file,
    dataDir: root,
    actor: { userId: 'cli:tester', divisionCode: null, reason: '测试恢复' },
    auditFiles: filesFor(root),
    filesDir: join(root, 'files'),
    ...extra,
  };
}

/** The system reads every record's attachments (as a job does). */
const SYSTEM = { role: OPERATOR, scope: ALL };

/** Attaches `bytes` as a PDF to `entity` in the installation at `root`. */
async function attachPdf(
  store: Store,
  root: string,
  entity: EntityRef,
  bytes: Buffer,
): Promise<AttachmentView> {
  const staged = await stageBytes(bytes, await newStagingPath(root));
  return inUnitOfWork(store, { ...admin, reason: '测试上传' }, (tx) =>
    attachFile(tx, diskFileStore(join(root, 'files')), SYSTEM, {
      entity,
      kind: 'income',
      name: '收入证明.pdf',
      staged,
      maxBytes: 1024 * 1024,
    }),
  );
}

/** Downloads an attachment as the console would (an audited read) and returns the SHA-256 of its bytes. */
async function downloadedSha256(store: Store, root: string, entity: EntityRef, id: string): Promise<string> {
  const { content } = await inUnitOfWork(store, { ...admin, reason: '测试下载' }, (tx) =>
    openAttachment(tx, diskFileStore(join(root, 'files')), SYSTEM, entity, id),
  );
  const hash = createHash('sha256');
  for await (const chunk of content) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `./bin/minzheng audit verify --checkpoints` on the installation at `root` (its own key). */
function auditVerifyCli(root: string): { status: number | null; stdout: string; stderr: string } {
  const { DATABASE_URL: _server, ...env } = process.env;
  const run = spawnSync(
    process.execPath,
    ['bin/minzheng', 'audit', 'verify', '--checkpoints', filesFor(root).checkpointFile],
    { env: { ...env, MINZHENG_DATA_DIR: root }, encoding: 'utf8' },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function openInstallation(root: string): Promise<Store> {
  const store = await openPglite(join(root, 'pglite'), { shownDir: root, command: 'vitest' });
  await store.migrate();
  return store;
}

/** Waits (without a clock) until `done()` holds, yielding to the work under way. */
async function until(done: () => boolean): Promise<void> {
  for (let round = 0; round < 20_000 && !done(); round += 1) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  if (!done()) throw new Error('condition never held');
}

/** Everything in the data folder but the backups folder: names and, for files, contents' checksums. */
async function snapshotOf(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (path.startsWith(join(root, 'backups'))) continue;
    out.push(entry.isFile() ? `${path} ${await sha256OfFile(path)}` : path);
  }
  return out.sort();
}

async function expectRefused(
  work: Promise<unknown>,
  code: BackupError['code'],
  message: RegExp,
): Promise<void> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackupError);
  expect((error as BackupError).code).toBe(code);
  expect((error as BackupError).message).toMatch(message);
}

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('a backup taken during writes, and its restore', () => {
  const root = newRoot();
  const settings = settingsFor(root);
  let store: Store;
  let backupPath = '';
  /** Probe ids whose unit of work committed before the backup's snapshot, read from the live audit log. */
  let expected: number[] = [];
  let liveHead: Awaited<ReturnType<typeof readHead>>;
  /** An attachment uploaded before the backup, and the SHA-256 of its bytes. */
  let household: EntityRef;
  let attachment: AttachmentView;
  const attachmentBytes = pdfBytes('收入证明 2026');
  const attachmentSha256 = createHash('sha256').update(attachmentBytes).digest('hex');
  /** The checkpoint file as it stood when the backup was taken (one checkpoint, before it). */
  let checkpointsAtBackup = '';

  beforeAll(async () => {
    store = await openInstallation(root);
    await store.db.execute(sql`create table backup_probe (id int primary key)`);
    const seeded = await seedTwoStreets(store);
    household = { entityType: 'household', districtCode: '310110', entityId: seeded.a.householdId };
    attachment = await attachPdf(store, root, household, attachmentBytes);
    // A checkpoint signed before the backup: the key and the checkpoint file live in the data directory.
    await createCheckpoint(store, filesFor(root));
    checkpointsAtBackup = readCheckpointText(filesFor(root).checkpointFile);
  }, SLOW);

  afterAll(async () => {
    await store.close().catch(() => undefined);
  });

  it(
    'holds exactly the units committed before its snapshot, while units go on committing around it',
    async () => {
      let stop = false;
      const committed: number[] = [];
      const writer = (async () => {
        for (let i = 0; !stop; i += 1) {
          await inUnitOfWork(store, { ...admin, reason: '测试写入' }, async (tx) => {
            await tx.db.execute(sql`insert into backup_probe (id) values (${i})`);
            tx.record({ action: 'person.updated', entityType: 'backup_probe', entityId: String(i) });
          });
          committed.push(i);
          // PGlite runs in this thread and its queries resolve as microtasks: without a pause between units
          // (as requests arriving over the network have), timers and file I/O would never run.
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      let before = 0;
      let after = 0;
      let backup: Awaited<ReturnType<typeof takeBackup>>;
      try {
        await until(() => committed.length >= 30);
        before = committed.length;
        backup = await takeBackup(store, settings, admin, { appVersion: 'test' });
        after = committed.length;
        await until(() => committed.length >= after + 20);
      } finally {
        stop = true;
        await writer;
      }

      // Units committed while the backup ran: the writes were not held off for its length.
      expect(after).toBeGreaterThan(before);
      expect(backup.sha256).toBe(await sha256OfFile(backup.path));
      expect(readFileSync(checksumPath(backup.path), 'utf8')).toBe(`${backup.sha256}  ${backup.name}\n`);
      expect(backup.bytes).toBeGreaterThan(0);
      // A whole installation: the file store's contents and the audit key and checkpoints with the database.
      expect(backup.contents).toEqual({ count: 1, bytes: attachmentBytes.length });
      expect(backup.audit).toEqual({ signingKey: true, checkpoints: true });
      const entries: string[] = [];
      await tar.t({ file: backup.path, onReadEntry: (entry) => entries.push(entry.path) });
      expect(entries).toEqual(
        expect.arrayContaining([
          'minzheng-backup.json',
          'audit/audit-signing-key.pem',
          'audit/audit-checkpoints.jsonl',
          `files/${attachmentSha256.slice(0, 2)}/${attachmentSha256.slice(2, 4)}/${attachmentSha256}`,
        ]),
      );
      expect(entries.filter((e) => e.startsWith('files/'))).toHaveLength(1);
      backupPath = backup.path;

      const links = await selectRows<{ probe: string; id: string }>(
        store.db,
        sql`select entity_id as probe, id::text as id from audit_log where entity_type = 'backup_probe'`,
      );
      expected = links
        .filter((link) => Number(link.id) <= backup.auditHead.lastId)
        .map((link) => Number(link.probe))
        .sort((a, b) => a - b);
      // Every unit committed before the backup was asked for is in it; the ones after its snapshot are not.
      expect(expected.slice(0, before)).toEqual([...Array(before).keys()]);
      expect(expected.length).toBeLessThan(committed.length);

      // The backup itself is audited, in the live log (after its snapshot).
      const [row] = await selectRows<{ action: string; entity_id: string; after: { sha256: string } }>(
        store.db,
        sql`select action, entity_id, after from audit_log where entity_type = 'backup'`,
      );
      expect(row).toMatchObject({ action: 'system.backup', entity_id: backup.name });
      expect(row?.after.sha256).toBe(backup.sha256);

      await createCheckpoint(store, filesFor(root));
      liveHead = await readHead(store.db);
    },
    SLOW,
  );

  it(
    'is refused while another process holds the data directory, with nothing changed',
    async () => {
      await store.close();
      const holder = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          new URL('../db/data-dir-lock.holder.ts', import.meta.url).pathname,
          join(root, 'pglite'),
        ],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      );
      const lines = createInterface({ input: holder.stdout })[Symbol.asyncIterator]();
      try {
        expect((await lines.next()).value).toBe(`won ${holder.pid}`);
        const before = await snapshotOf(root);
        const error = await restoreBackup(restoreOptions(root, backupPath)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DataDirLockedError);
        expect((error as Error).message).toContain(`正由进程 ${holder.pid}（minzheng serve`);
        expect(await snapshotOf(root)).toEqual(before);
      } finally {
        holder.stdin.end();
        await new Promise((resolve) => holder.once('exit', resolve));
      }
    },
    SLOW,
  );

  it(
    'restores every committed row and the attachment files, keeps the previous store aside, records the previous head, and verifies',
    async () => {
      // The attachment's content is lost from the files folder: the restore puts it back.
      const content = contentPath(join(root, 'files'), attachmentSha256);
      rmSync(content);
      const lines: string[] = [];
      const report = await restoreBackup(restoreOptions(root, backupPath, { say: (l) => lines.push(l) }));
      expect(report.verify.ok).toBe(true);
      expect(report.previousHead).toEqual(liveHead);
      expect(report.previousDir).toMatch(/pglite\.before-restore-\d{8}-\d{6}$/);
      expect(existsSync(join(report.previousDir ?? '', 'PG_VERSION'))).toBe(true);
      expect(report.contents).toEqual({ count: 1, restored: 1, present: 0 });
      expect(statSync(content).mode & 0o777).toBe(0o400);
      expect(report.signingKey).toBe('same');
      // The checkpoint signed after the backup lies past the restored log: moved aside, kept; the backup's
      // own checkpoint file (signed before it) takes its place.
      expect(report.checkpointsMovedTo).toMatch(/audit-checkpoints\.jsonl\.before-restore-/);
      expect(report.checkpointsRestored).toBe(true);
      expect(readCheckpointText(filesFor(root).checkpointFile)).toBe(checkpointsAtBackup);
      expect(lines[0]).toMatch(/^校验值相符/);

      const restored = await openInstallation(root);
      try {
        const rows = await selectRows<{ id: number }>(
          restored.db,
          sql`select id from backup_probe order by id`,
        );
        expect(rows.map((r) => r.id)).toEqual(expected);
        // The attachment uploaded before the backup downloads with the same bytes.
        expect(await downloadedSha256(restored, root, household, attachment.id)).toBe(attachmentSha256);
        const chain = await verifyAuditChain(restored);
        expect(chain.ok).toBe(true);
        const key = loadSigningKey(filesFor(root).keyFile);
        const checkpoints = await verifyCheckpoints(
          restored.db,
          readCheckpointText(filesFor(root).checkpointFile),
          key!.publicKey,
          chain,
        );
        expect(checkpoints.problems).toEqual([]);
        const [last] = await selectRows<{
          action: string;
          before: { auditHead: unknown };
          after: { sha256: string };
        }>(
          restored.db,
          sql`select action, before, after from audit_log where action = 'system.restore' order by id desc limit 1`,
        );
        expect(last?.action).toBe('system.restore');
        expect(last?.before.auditHead).toEqual(liveHead);
        expect(last?.after.sha256).toBe(report.sha256);
        // The server's schedule signs on from the backup's checkpoints.
        const { written } = await createCheckpoint(restored, filesFor(root), { incremental: true });
        expect(written).toBe(true);
      } finally {
        await restored.close();
      }
      expect(auditVerifyCli(root)).toMatchObject({ status: 0, stderr: '' });
    },
    SLOW,
  );

  it(
    'restores a whole installation on a new machine: database, attachment files, signing key and checkpoints',
    async () => {
      const fresh = newRoot();
      const report = await restoreBackup(restoreOptions(fresh, backupPath));
      expect(report.previousDir).toBeNull();
      expect(report.contents).toEqual({ count: 1, restored: 1, present: 0 });
      expect(report.signingKey).toBe('installed');
      expect(report.checkpointsRestored).toBe(true);
      expect(report.checkpointsMovedTo).toBeNull();
      const key = loadSigningKey(filesFor(fresh).keyFile);
      expect(key?.keyId).toBe(loadSigningKey(filesFor(root).keyFile)?.keyId);
      expect(statSync(filesFor(fresh).keyFile).mode & 0o777).toBe(0o600);

      const restored = await openInstallation(fresh);
      try {
        expect(await downloadedSha256(restored, fresh, household, attachment.id)).toBe(attachmentSha256);
        const chain = await verifyAuditChain(restored);
        expect(chain.ok).toBe(true);
        const checkpoints = await verifyCheckpoints(
          restored.db,
          readCheckpointText(filesFor(fresh).checkpointFile),
          key!.publicKey,
          chain,
        );
        expect(checkpoints).toMatchObject({ checked: 1, problems: [] });
      } finally {
        await restored.close();
      }
      const verified = auditVerifyCli(fresh);
      expect(verified).toMatchObject({ status: 0, stderr: '' });
      expect(verified.stdout).toMatch(/检查点/);
    },
    SLOW,
  );

  it(
    'still restores a backup of format 1 (the database only), leaving the files folder as it is',
    async () => {
      const work = newRoot();
      const unpacked = join(work, 'unpacked');
      mkdirSync(unpacked);
      await tar.x({ file: backupPath, cwd: unpacked });
      const manifest = JSON.parse(readFileSync(join(unpacked, 'minzheng-backup.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      const { contents: _contents, audit: _audit, ...older } = manifest;
      writeFileSync(join(unpacked, 'minzheng-backup.json'), JSON.stringify({ ...older, format: 1 }));
      const old = join(work, backupName(new Date()));
      await tar.c({ gzip: true, cwd: unpacked, file: old, portable: true }, [
        'minzheng-backup.json',
        'pglite',
      ]);
      const fresh = newRoot();
      const report = await restoreBackup(restoreOptions(fresh, old, { sha256: await sha256OfFile(old) }));
      expect(report.verify.ok).toBe(true);
      expect(report).toMatchObject({ contents: null, signingKey: 'none', checkpointsRestored: false });
      expect(existsSync(join(fresh, 'files'))).toBe(false);
    },
    SLOW,
  );

  it(
    'refuses a file whose checksum does not match, a missing file or checksum, and a foreign archive, changing nothing',
    async () => {
      const before = await snapshotOf(root);
      const work = newRoot();

      const damaged = join(work, backupName(new Date()));
      const bytes = readFileSync(backupPath);
      const middle = Math.floor(bytes.length / 2);
      bytes.writeUInt8(bytes.readUInt8(middle) ^ 0xff, middle);
      writeFileSync(damaged, bytes);
      writeFileSync(checksumPath(damaged), readFileSync(checksumPath(backupPath)));
      await expectRefused(
        restoreBackup(restoreOptions(root, damaged)),
        'checksum_mismatch',
        /^校验值不符：.*文件已损坏或被改动，未做任何更改$/,
      );

      await expectRefused(
        restoreBackup(restoreOptions(root, join(work, 'missing.tar.gz'))),
        'file_missing',
        /^备份文件不存在：.*未做任何更改$/,
      );

      const bare = join(work, 'bare.tar.gz');
      writeFileSync(bare, bytes);
      await expectRefused(
        restoreBackup(restoreOptions(root, bare)),
        'checksum_missing',
        /^找不到校验文件 .*bare\.tar\.gz\.sha256/,
      );

      const garbage = join(work, 'garbage.tar.gz');
      writeFileSync(garbage, 'not a backup at all');
      await expectRefused(
        restoreBackup(restoreOptions(root, garbage, { sha256: await sha256OfFile(garbage) })),
        'file_corrupt',
        /不是完整的 tar\.gz 压缩包/,
      );

      const foreignDir = join(work, 'foreign');
      rmSync(foreignDir, { recursive: true, force: true });
      writeFileSync(join(work, 'evil.txt'), 'x');
      const foreign = join(work, 'foreign.tar.gz');
      await tar.c({ gzip: true, cwd: work, file: foreign }, ['evil.txt']);
      await expectRefused(
        restoreBackup(restoreOptions(root, foreign, { sha256: await sha256OfFile(foreign) })),
        'file_corrupt',
        /含有不属于本系统备份的条目 evil\.txt/,
      );

      // A "content" whose name is not its folders' digest is not one of ours either.
      mkdirSync(join(work, 'files', '00', '00'), { recursive: true });
      writeFileSync(join(work, 'files', '00', '00', 'f'.repeat(64)), 'x');
      const misnamed = join(work, 'misnamed.tar.gz');
      await tar.c({ gzip: true, cwd: work, file: misnamed }, [`files/00/00/${'f'.repeat(64)}`]);
      await expectRefused(
        restoreBackup(restoreOptions(root, misnamed, { sha256: await sha256OfFile(misnamed) })),
        'file_corrupt',
        /含有不属于本系统备份的条目 files\/00\/00\/f{64}/,
      );

      expect(await snapshotOf(root)).toEqual(before);
    },
    SLOW,
  );
});

describe('retention', () => {
  const root = newRoot();
  let store: Store;
  let restoreClock = () => {};

  beforeAll(async () => {
    store = await openInstallation(root);
  });

  afterAll(async () => {
    restoreClock();
    await store.close();
  });

  it(
    'keeps the newest N backups with their checksum files, and leaves other files alone',
    async () => {
      const settings = settingsFor(root, 2);
      const foreign = join(settings.folder, 'README-运维说明.txt');
      const taken: string[] = [];
      for (const at of [
        '2026-03-01T02:00:00+08:00',
        '2026-03-02T02:00:00+08:00',
        '2026-03-03T02:00:00+08:00',
      ]) {
        restoreClock();
        restoreClock = setClock(fixedClock(at));
        const result = await takeBackup(store, settings, admin);
        taken.push(result.name);
        if (taken.length === 1) writeFileSync(foreign, '不要删除');
      }
      // A second backup in the same second gets its own name.
      const again = await takeBackup(store, settings, admin);
      expect(again.name).toBe('minzheng-backup-20260303-020000-2.tar.gz');
      expect(again.removed).toEqual([taken[1]]);

      expect(taken).toEqual([
        'minzheng-backup-20260301-020000.tar.gz',
        'minzheng-backup-20260302-020000.tar.gz',
        'minzheng-backup-20260303-020000.tar.gz',
      ]);
      const left = (await listBackupFiles(settings.folder)).map((file) => file.name);
      expect(left).toEqual([taken[2], again.name]);
      expect(readdirSync(settings.folder).sort()).toEqual(
        [
          foreign.split('/').at(-1),
          taken[2],
          `${taken[2]}.sha256`,
          again.name,
          `${again.name}.sha256`,
        ].sort(),
      );
      const listing = await listBackups('pglite', settings);
      expect(listing.backups.map((b) => b.name)).toEqual([again.name, taken[2]]);
      expect(listing.backups[1]?.takenAt).toBe('2026-03-02T18:00:00.000Z');
      expect(listing.backups[0]?.sha256).toBe(again.sha256);
    },
    SLOW,
  );

  it(
    'refuses an in-memory store, naming why',
    async () => {
      const memory = await openPglite();
      try {
        await expectRefused(
          takeBackup(memory, settingsFor(newRoot()), admin),
          'no_data_dir',
          /内存数据库不能备份/,
        );
      } finally {
        await memory.close();
      }
    },
    SLOW,
  );
});

describe.skipIf(!serverUrl())('with a PostgreSQL server', () => {
  it(
    'says that backups are the DBA’s instead of pretending, and writes nothing',
    async () => {
      const { store, dispose } = await openTestStore('postgres');
      const root = newRoot();
      try {
        await expectRefused(
          takeBackup(store, settingsFor(root), admin),
          'not_embedded',
          /数据库管理员负责.*pg_dump/,
        );
        const listing = await listBackups('postgres', settingsFor(root));
        expect(listing).toMatchObject({ supported: false, backups: [] });
        expect(listing.notice).toMatch(/PostgreSQL/);
        expect(existsSync(join(root, 'backups'))).toBe(false);
        expect((await readHead(store.db))?.count ?? 0).toBe(0);
      } finally {
        await dispose();
      }
    },
    SLOW,
  );
});
