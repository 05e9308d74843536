import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { listAudit } from '../audit/audit.service.ts';
import { verifyAuditChain } from '../audit/verify.service.ts';
import { ALL } from '../auth/scope.ts';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeIdNumber } from '../registry/id-number.ts';
import { sharedStringBomb } from '../registry/import/hostile.fixtures.ts';
import { DEFAULT_IMPORT_LIMITS, limitMessages } from '../registry/import/limits.ts';
import {
  rosterCsv,
  sampleRoster,
  YANGPU_COMMITTEE,
  YANGPU_OTHER_STREET_COMMITTEE,
} from '../registry/import/roster.fixtures.ts';
import { multipart } from './multipart.fixtures.ts';
import { safeUploadName } from './routes/import.routes.ts';
import { jobKinds } from '../jobs/kinds/index.ts';
import { JobRunner } from '../jobs/runner.ts';
import { addUser, loginAs, testConfig, testServer, type Agent } from './test-helpers.ts';

describeStores('import route', (ctx) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mz-import-route-'));
  const config = testConfig({ MINZHENG_DATA_DIR: dataDir });
  let app: FastifyInstance;
  let street: Agent;
  let street2: Agent;
  let finance: Agent;
  const csv = `\uFEFF${rosterCsv(sampleRoster(3, YANGPU_COMMITTEE, 'IMP'))}`;
  const upload = (agent: Agent, body: ReturnType<typeof multipart>) =>
    app.inject({
      method: 'POST',
      url: '/api/households/import',
      headers: { cookie: agent.cookie, 'x-csrf-token': agent.csrf, ...body.headers },
      payload: body.payload,
    });

  beforeAll(async () => {
    app = await testServer(ctx.store, { MINZHENG_MAX_UPLOAD_MB: '1', MINZHENG_DATA_DIR: dataDir });
    await addUser(ctx.store, 'street1', 'street_caseworker', YANGPU_COMMITTEE.slice(0, 9));
    await addUser(ctx.store, 'street2', 'street_caseworker', YANGPU_OTHER_STREET_COMMITTEE.slice(0, 9));
    await addUser(ctx.store, 'finance', 'finance_officer', '310110');
    street = await loginAs(app, 'street1');
    street2 = await loginAs(app, 'street2');
    finance = await loginAs(app, 'finance');
  });
  afterAll(() => app.close());

  const runJobs = () =>
    new JobRunner({ store: ctx.store, config, kinds: jobKinds(), schedules: false }).runUntilIdle();
  const jobOf = async (agent: Agent, id: string) =>
    (await agent.get(`/api/jobs/${id}`)).json<{
      state: string;
      error: string | null;
      result: { ok: boolean; errorCount: number; errors: unknown[]; households: number } | null;
    }>();

  it('a dry run validates and writes nothing; the real run is a job that writes and is audited once', async () => {
    const dry = await upload(
      street,
      multipart({ name: 'roster.csv', content: csv }, { dryRun: 'true', reason: '年度台账' }),
    );
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ ok: true, dryRun: true, households: 3, errorCount: 0 });
    expect((await street.get('/api/households')).json<{ total: number }>().total).toBe(0);

    const real = await upload(
      street,
      multipart({ name: 'roster.csv', content: csv }, { dryRun: 'false', reason: '年度台账' }),
    );
    expect(real.statusCode).toBe(202);
    const queued = real.json<{ job: { id: string; state: string; kind: string }; existing: boolean }>();
    expect(queued).toMatchObject({ existing: false, job: { state: 'queued', kind: 'registry.import' } });
    expect((await street.get('/api/households')).json<{ total: number }>().total).toBe(0);
    expect((await runJobs()).succeeded).toBe(1);
    const done = await jobOf(street, queued.job.id);
    expect(done).toMatchObject({ state: 'succeeded', result: { ok: true, dryRun: false, households: 3 } });
    expect(JSON.stringify(done)).not.toContain('"audit"');
    expect((await street.get('/api/households')).json<{ total: number }>().total).toBe(3);
    // The uploaded file went with its job.
    expect(readdirSync(join(dataDir, 'tmp', 'job-files'))).toEqual([]);
    // The same file again: the job that imported it, nothing new queued.
    const again = await upload(
      street,
      multipart({ name: 'roster.csv', content: csv }, { dryRun: 'false', reason: '年度台账' }),
    );
    expect(again.json()).toMatchObject({ existing: true, job: { id: queued.job.id, state: 'succeeded' } });
    expect(readdirSync(join(dataDir, 'tmp', 'job-files'))).toEqual([]);
    const audit = await listAudit(ctx.store, { scope: ALL, action: 'registry.import', limit: 5, offset: 0 });
    expect(audit.total).toBe(1);
    expect(audit.items[0]?.reason).toBe('年度台账');
  });

  it('exports the imported households as a masked .xlsx, audited', async () => {
    const response = await street.get('/api/households/export');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('spreadsheetml');
    expect(response.headers['content-disposition']).toContain('attachment');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const cells: string[] = [];
    book.worksheets[0]?.eachRow((row) => row.eachCell((cell) => cells.push(cell.text)));
    const ids = cells.filter((c) => /^\d{6}[\d*]{8}\d{3}[\dX]$/.test(c));
    expect(ids.length).toBeGreaterThanOrEqual(6);
    expect(ids.every((id) => id.includes('********'))).toBe(true);
    expect(
      (await listAudit(ctx.store, { scope: ALL, action: 'registry.export', limit: 5, offset: 0 })).total,
    ).toBe(1);
    expect((await finance.get('/api/households/export')).statusCode).toBe(403);
  });

  it('a repeated import (another file with the same people) fails: the job ends failed with the error table', async () => {
    const again = await upload(
      street,
      multipart({ name: 'roster.csv', content: csv.slice(1) }, { reason: '重复导入' }),
    );
    expect(again.statusCode).toBe(202);
    const { job } = again.json<{ job: { id: string } }>();
    expect((await runJobs()).failed).toBe(1);
    const failed = await jobOf(street, job.id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/^台账文件有 \d+ 处错误，未导入任何数据$/);
    expect(failed.result?.ok).toBe(false);
    expect(failed.result?.errorCount).toBeGreaterThan(0);
    expect(failed.result?.errors.length).toBe(failed.result?.errorCount);
    expect((await street.get('/api/households')).json<{ total: number }>().total).toBe(3);
    // The other street sees nothing of this street's jobs.
    expect((await street2.get(`/api/jobs/${job.id}`)).statusCode).toBe(404);
    expect((await street2.get('/api/jobs')).json<{ total: number }>().total).toBe(0);
  });

  it('another street learns only that a person is registered elsewhere, not the household (item 7)', async () => {
    // The people street1 imported above, dry-run by street2 as households of its own street.
    const theirs = sampleRoster(3, YANGPU_OTHER_STREET_COMMITTEE, 'IMP').map((row) => ({
      ...row,
      householdNo: `OTHER${String(row.householdNo)}`,
    }));
    const response = await upload(
      street2,
      multipart({ name: 'r.csv', content: rosterCsv(theirs) }, { dryRun: 'true', reason: '核对重复登记' }),
    );
    expect(response.statusCode).toBe(400);
    const body = response.json<{ errors: { column: string; reason: string }[]; errorCount: number }>();
    expect(body.errorCount).toBe(theirs.length);
    for (const error of body.errors) {
      expect(error).toMatchObject({
        column: '身份证号',
        reason:
          '此人已在其他地方登记（不在您的数据范围内）：不能重复导入；如需迁入，请联系其现居住地办理迁出',
      });
    }
    expect(response.body).not.toContain('IMP-');
    // Inside one's own scope the household is named: that is where it can be fixed.
    const own = await upload(
      street,
      multipart({ name: 'r.csv', content: csv }, { dryRun: 'true', reason: '核对重复登记' }),
    );
    expect(own.body).toContain('已是户 IMP-0000000 的现有成员');
  });

  it('a 60 KB workbook with a 50 MB shared string: 400, one short error, nothing written (item 8)', async () => {
    const bomb = sharedStringBomb(50, [
      makeIdNumber('310110', '1950-01-01', 11),
      makeIdNumber('310110', '1951-01-01', 13),
    ]);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const response = await upload(
      street,
      multipart({ name: 'bomb.xlsx', content: bomb }, { dryRun: 'true', reason: '恶意文件' }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.rawPayload.length).toBeLessThan(2000);
    expect(response.json()).toMatchObject({
      errorCount: 1,
      errors: [{ row: null, reason: limitMessages.cellInFile(DEFAULT_IMPORT_LIMITS) }],
    });
    expect((await street.get('/api/households')).json<{ total: number }>().total).toBe(3);
  });

  it('a NUL in a CSV name is a 400 naming the cell, not a 500 (item 6)', async () => {
    const rows = sampleRoster(1, YANGPU_COMMITTEE, 'NUL', 900);
    rows[1]!.name = '王\u0000五';
    const response = await upload(
      street,
      multipart({ name: 'nul.csv', content: rosterCsv(rows) }, { dryRun: 'true', reason: '含空字符' }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: { code: 'IMPORT_INVALID' },
      errorCount: 1,
      errors: [{ row: 3, column: '姓名', value: '王\\u0000五', reason: '包含空字符（NUL），请删除后重试' }],
    });
    const badReason = await upload(
      street,
      multipart({ name: 'ok.csv', content: csv }, { dryRun: 'true', reason: '原因\u0007' }),
    );
    expect(badReason.statusCode).toBe(400);
    expect(badReason.json()).toMatchObject({ error: { code: 'VALIDATION' } });
    expect((await street.get('/api/households')).json<{ total: number }>().total).toBe(3);
  });

  it('exports CSV on request, masked, with a BOM, in the import layout', async () => {
    const response = await street.get('/api/households/export?format=csv');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toContain('households.csv');
    expect(response.body.startsWith('\uFEFF户编号,与户主关系,姓名,身份证号')).toBe(true);
    expect(response.body).not.toMatch(/\b\d{17}[\dX]\b/);
    expect((await street.get('/api/households/export?format=pdf')).statusCode).toBe(400);
  });

  it("rows outside the user's street are refused", async () => {
    const other = rosterCsv(sampleRoster(1, YANGPU_OTHER_STREET_COMMITTEE, 'OUT', 500));
    const response = await upload(
      street,
      multipart({ name: 'other.csv', content: other }, { dryRun: 'true', reason: '越权导入' }),
    );
    expect(response.statusCode).toBe(400);
    expect((await street.get('/api/households')).json<{ total: number }>().total).toBe(3);
  });

  it('treats path traversal in the file name as a plain label', async () => {
    expect(safeUploadName('../../../../etc/passwd.csv')).toBe('passwd.csv');
    expect(safeUploadName('..\\..\\windows\\system.ini')).toBe('system.ini');
    expect(safeUploadName('../..')).toBe('upload');
    expect(safeUploadName('a\u0000b.csv')).toBe('ab.csv');
    const roster = rosterCsv(sampleRoster(1, YANGPU_COMMITTEE, 'TRV', 700));
    const response = await upload(
      street,
      multipart(
        { name: '../../../../tmp/evil.csv', content: roster },
        { reason: '路径测试', dryRun: 'true' },
      ),
    );
    expect(response.statusCode).toBe(200);
  });

  it('needs the import permission, a file, and stays under the upload limit', async () => {
    expect(
      (await upload(finance, multipart({ name: 'r.csv', content: csv }, { reason: 'x' }))).statusCode,
    ).toBe(403);
    expect((await upload(street, multipart(null, { reason: '没有文件' }))).statusCode).toBe(400);
    const big = Buffer.alloc(1_500_000, 'a');
    const tooBig = await upload(street, multipart({ name: 'big.csv', content: big }, { reason: '大文件' }));
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    const noCsrf = await app.inject({
      method: 'POST',
      url: '/api/households/import',
      headers: { cookie: street.cookie, ...multipart(null, {}).headers },
      payload: multipart(null, {}).payload,
    });
    expect(noCsrf.statusCode).toBe(403);
    expect((await verifyAuditChain(ctx.store)).ok).toBe(true);
  });
});
