import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import type { Session, Store } from '../db/store.ts';
import { rosterCsv, sampleRoster, YANGPU_COMMITTEE } from '../registry/import/roster.fixtures.ts';
import { sweepUploads, uploadFolder } from '../registry/import/upload-folder.ts';
import { prepareInstance } from './first-start.ts';
import { BOUNDARY, multipart, type MultipartBody } from './multipart.fixtures.ts';
import { addUser, loginAs, testConfig, testServer, type Agent } from './test-helpers.ts';

/**
 * Uploads hold full ID numbers (issue 7, item 9): they wait in <data dir>/tmp/uploads (0700), every
 * way out of the request deletes them, and what a killed process left is swept at the next start.
 */
describeStores('import uploads', (ctx) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mz-uploads-'));
  const uploads = uploadFolder(dataDir);
  let app: FastifyInstance;
  let street: Agent;
  /** Runs once, inside the next transaction the import opens (while its upload is on disk). */
  let duringImport: (() => Promise<void>) | undefined;
  const csv = rosterCsv(sampleRoster(1, YANGPU_COMMITTEE, 'UPL', 3000));

  const send = (payload: Buffer | Readable, headers: MultipartBody['headers']) =>
    app.inject({
      method: 'POST',
      url: '/api/households/import',
      headers: { cookie: street.cookie, 'x-csrf-token': street.csrf, ...headers },
      payload,
    });
  const upload = (body: MultipartBody) => send(body.payload, body.headers);
  const left = async () => readdir(uploads).catch(() => []);

  beforeAll(async () => {
    const hooked: Store = {
      ...ctx.store,
      transaction: async <T>(work: (tx: Session) => Promise<T>) => {
        const hook = duringImport;
        duringImport = undefined;
        await hook?.();
        return ctx.store.transaction(work);
      },
    };
    app = await testServer(hooked, { MINZHENG_DATA_DIR: dataDir });
    await addUser(ctx.store, 'uploader', 'street_caseworker', YANGPU_COMMITTEE.slice(0, 9));
    street = await loginAs(app, 'uploader');
  });
  afterAll(() => app.close());

  it('keeps the upload in the data directory, private, while it is checked, and deletes it after', async () => {
    let seen: { files: string[]; dirMode: number; fileMode: number } | undefined;
    duringImport = async () => {
      const files = await left();
      seen = {
        files,
        dirMode: statSync(uploads).mode & 0o777,
        fileMode: files[0] ? statSync(join(uploads, files[0])).mode & 0o777 : 0,
      };
    };
    const response = await upload(
      multipart({ name: 'r.csv', content: csv }, { dryRun: 'true', reason: '上传' }),
    );
    expect(response.statusCode).toBe(200);
    expect(seen?.files).toHaveLength(1);
    expect(seen?.files[0]).toMatch(new RegExp(`^${process.pid}-[0-9a-f-]{36}\\.upload$`));
    expect(seen?.dirMode).toBe(0o700);
    expect(seen?.fileMode).toBe(0o600);
    expect(await left()).toEqual([]);
  });

  it('deletes the upload when the roster is refused or the request is malformed', async () => {
    const bad = csv.replace('UPL-0000000', '??');
    expect(
      (await upload(multipart({ name: 'r.csv', content: bad }, { dryRun: 'true', reason: '错误台账' })))
        .statusCode,
    ).toBe(400);
    // A real import moves its file out of the upload folder to its job (src/jobs/kinds/registry-import.job.ts).
    expect(
      (await upload(multipart({ name: 'r.csv', content: bad }, { reason: '错误台账' }))).statusCode,
    ).toBe(202);
    expect(await left()).toEqual([]);
    const dryRun = multipart({ name: 'r.csv', content: csv }, { dryRun: 'maybe', reason: '参数错误' });
    expect((await upload(dryRun)).statusCode).toBe(400);
    expect(await left()).toEqual([]);
    // A second file used to leave the request hanging, the first one on disk.
    const twoFiles = multipart({ name: 'r.csv', content: csv }, { reason: '两个文件' });
    const end = Buffer.from(`--${BOUNDARY}--\r\n`);
    const second = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="b.csv"\r\n\r\nx\r\n`,
    );
    const payload = Buffer.concat([twoFiles.payload.subarray(0, -end.length), second, end]);
    expect((await send(payload, twoFiles.headers)).statusCode).toBe(413);
    expect(await left()).toEqual([]);
    // A body cut off inside the file part (no closing boundary) is the client's fault: 400, not 500.
    const cut = multipart({ name: 'r.csv', content: csv }, { reason: '截断' });
    const response = await send(cut.payload.subarray(0, -end.length - 40), cut.headers);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: {
        code: 'BAD_REQUEST',
        message: '上传内容不完整或格式错误（应为 multipart/form-data）：请重新上传',
      },
    });
    expect(await left()).toEqual([]);
    const noBoundary = await send(Buffer.from('x'), { 'content-type': 'multipart/form-data' });
    expect(noBoundary.statusCode).toBe(400);
  });

  it('deletes the upload when the server fails while checking it', async () => {
    duringImport = () => Promise.reject(new Error('database gone'));
    const response = await upload(
      multipart({ name: 'r.csv', content: csv }, { dryRun: 'true', reason: '故障' }),
    );
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('database gone');
    expect(await left()).toEqual([]);
  });

  it('deletes the part already written when the client goes away mid-upload', async () => {
    const whole = multipart({ name: 'r.csv', content: csv.repeat(200) }, { reason: '中断' });
    const head = whole.payload.subarray(0, whole.payload.length >> 1);
    let sent = false;
    const aborted = new Readable({
      read() {
        if (sent) return;
        sent = true;
        this.push(head);
        setTimeout(() => this.destroy(new Error('client went away')), 50);
      },
    });
    await send(aborted, whole.headers).catch(() => undefined);
    // The handler's own clean-up runs after the request has failed: wait for it without a clock.
    for (let i = 0; i < 100 && (await left()).length > 0; i++) await new Promise((r) => setImmediate(r));
    expect(await left()).toEqual([]);
  });

  it('sweeps what a killed process left behind at start, and leaves a live process’s upload alone', async () => {
    mkdirSync(uploads, { recursive: true });
    const dead = join(uploads, '999999999-00000000-0000-0000-0000-000000000000.upload');
    const mine = join(uploads, `${process.pid}-11111111-1111-1111-1111-111111111111.upload`);
    const live = join(uploads, `${process.ppid}-22222222-2222-2222-2222-222222222222.upload`);
    for (const path of [dead, mine, live]) writeFileSync(path, '310110195001010011');
    const said: string[] = [];
    await prepareInstance(
      ctx.store,
      testConfig({ MINZHENG_DATA_DIR: dataDir, MINZHENG_DEMO: 'false' }),
      (line) => said.push(line),
    );
    expect(await left()).toEqual([live.slice(uploads.length + 1)]);
    expect(said).toContain('已删除上次异常退出时遗留的上传临时文件 2 个');
    expect(await sweepUploads(uploads)).toBe(0);
  });
});
