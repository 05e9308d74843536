import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { listAudit } from '../audit/audit.service.ts';
import { ALL } from '../auth/scope.ts';
import type { PrintDocument } from '../documents/document.ts';
import { inspectPdf } from '../documents/pdf-inspect.test-helpers.ts';
import { HOUSEHOLD_EXAMPLES } from '../policy/examples.ts';
import { addUser, loginAs, seedTwoStreets, testServer, type Agent, type TwoStreets } from './test-helpers.ts';

const masked = (id: string) => `${id.slice(0, 6)}********${id.slice(-4)}`;

function pdfText(response: LightMyRequestResponse): string {
  expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
  expect(response.headers['content-type']).toBe('application/pdf');
  const read = inspectPdf(response.rawPayload);
  expect(read.header).toMatch(/^%PDF-1\.\d/);
  for (const font of read.fonts) expect(font.subset && font.embedded).toBe(true);
  return read.pages.join('\n');
}

describeStores('document routes: info sheet and 测算单, scoped, masked, audited unmask', (ctx) => {
  let app: FastifyInstance;
  let data: TwoStreets;
  let street: Agent;
  let committee: Agent;
  let finance: Agent;
  const unmaskAudit = () =>
    listAudit(ctx.store, { scope: ALL, action: 'person.unmask', limit: 50, offset: 0 });

  beforeAll(async () => {
    app = await testServer(ctx.store);
    data = await seedTwoStreets(ctx.store);
    await addUser(ctx.store, 'doc_street', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'doc_committee', 'committee_assistant', data.a.committeeCode);
    await addUser(ctx.store, 'doc_finance', 'finance_officer', '310110');
    [street, committee, finance] = await Promise.all([
      loginAs(app, 'doc_street'),
      loginAs(app, 'doc_committee'),
      loginAs(app, 'doc_finance'),
    ]);
  });
  afterAll(() => app.close());

  it('the info sheet as a document: names not codes, relations, ID numbers masked', async () => {
    const response = await street.get(`/api/households/${data.a.householdId}/documents/info-sheet`);
    expect(response.statusCode).toBe(200);
    const doc = response.json<PrintDocument>();
    expect(doc).toMatchObject({
      kind: 'household.info_sheet',
      issuer: '上海市杨浦区民政局',
      title: '家庭基本信息表',
      fileName: '家庭基本信息表-KJ-0001',
    });
    const body = JSON.stringify(doc);
    for (const text of [
      'KJ-0001',
      '杨浦区',
      '控江路街道',
      '张建国',
      '张建国妻',
      '户主',
      '配偶',
      '张建国家地址',
    ])
      expect(body, text).toContain(text);
    expect(body).toContain(masked(data.a.idNumber));
    expect(body).not.toContain(data.a.idNumber);
    expect(body).not.toContain(data.a.phone);
    expect(body).toContain('脱敏');
  });

  it('the info sheet as a PDF: a Chinese file name, the same text, masked for a user who may not unmask', async () => {
    for (const agent of [street, committee]) {
      const response = await agent.get(`/api/households/${data.a.householdId}/documents/info-sheet.pdf`);
      const text = pdfText(response);
      expect(response.headers['content-disposition']).toBe(
        `attachment; filename="household-info-sheet.pdf"; filename*=UTF-8''${encodeURIComponent('家庭基本信息表-KJ-0001.pdf')}`,
      );
      for (const expected of [
        '家庭基本信息表',
        '上海市杨浦区民政局',
        '张建国',
        '户主',
        '配偶',
        '第 1 页 / 共 1 页',
      ])
        expect(text, expected).toContain(expected);
      expect(text).toContain(masked(data.a.idNumber));
      expect(text).not.toContain(data.a.idNumber);
      // One page of a small household: tens of KB.
      expect(response.rawPayload.length).toBeLessThan(120_000);
    }
    // A committee assistant has no person.unmask: asking is refused and writes nothing.
    const refused = await committee.get(
      `/api/households/${data.a.householdId}/documents/info-sheet.pdf?unmask=true&purpose=${encodeURIComponent('核实家庭成员身份')}`,
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({
      error: { code: 'FORBIDDEN', message: '您没有查看完整身份信息的权限' },
    });
    expect((await unmaskAudit()).total).toBe(0);
  });

  it('full ID numbers need a purpose and leave one audit record per person shown', async () => {
    const url = `/api/households/${data.a.householdId}/documents/info-sheet.pdf?unmask=true`;
    const noPurpose = await street.get(url);
    expect(noPurpose.statusCode).toBe(400);
    expect(noPurpose.json<{ error: { message: string } }>().error.message).toContain('用途');
    expect((await unmaskAudit()).total).toBe(0);

    const text = pdfText(await street.get(`${url}&purpose=${encodeURIComponent('打印申请材料核对身份')}`));
    expect(text).toContain(data.a.idNumber);
    expect(text).toContain('审计日志');
    const audit = await unmaskAudit();
    expect(audit.total).toBe(2);
    expect(audit.items.map((row) => row.reason)).toEqual(['打印申请材料核对身份', '打印申请材料核对身份']);
    expect(audit.items.map((row) => row.entityId)).toContain(data.a.personId);
    expect(JSON.stringify(audit.items)).not.toContain(data.a.idNumber);
  });

  it('a household outside the scope is 404, the same as one that does not exist; no registry.view is 403', async () => {
    for (const url of [
      `/api/households/${data.b.householdId}/documents/info-sheet`,
      `/api/households/${data.b.householdId}/documents/info-sheet.pdf`,
      `/api/households/${data.b.householdId}/documents/info-sheet.pdf?unmask=true&purpose=${encodeURIComponent('核实身份信息')}`,
      '/api/households/00000000-0000-4000-8000-000000000000/documents/info-sheet.pdf',
      `/api/policy/households/${data.b.householdId}/calculate/document.pdf?month=2026-05`,
    ]) {
      const response = await street.get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type']).toContain('application/json');
    }
    const other = await committee.get(`/api/households/${data.b.householdId}/documents/info-sheet.pdf`);
    expect(other.statusCode).toBe(404);
    const finance403 = await finance.get(`/api/households/${data.a.householdId}/documents/info-sheet.pdf`);
    expect(finance403.statusCode).toBe(403);
    expect((await unmaskAudit()).total).toBe(2);
  });

  it('the 测算单 of a household typed in: same body as the calculator, amounts in 元, reasons, sources, not a decision', async () => {
    const example = HOUSEHOLD_EXAMPLES.dibao.file;
    const body = { month: example.month, household: example.household, explain: true };
    const json = await finance.post('/api/policy/calculate/document', body);
    expect(json.statusCode).toBe(200);
    const doc = json.json<PrintDocument>();
    expect(doc).toMatchObject({ kind: 'policy.calculation', title: '社会救助测算单', watermark: '测算' });
    const calc = (await finance.post('/api/policy/calculate', body)).json<{
      results: { program: string; eligible: boolean; amountFen: number }[];
    }>();
    const dibao = calc.results.find((r) => r.program === 'dibao');
    expect(dibao?.eligible).toBe(true);
    const yuan = `${Math.floor((dibao?.amountFen ?? 0) / 100)}.${String((dibao?.amountFen ?? 0) % 100).padStart(2, '0')}元`;

    const response = await finance.post('/api/policy/calculate/document.pdf', body);
    const text = pdfText(response);
    expect(response.headers['content-disposition']).toContain(
      encodeURIComponent(`社会救助测算单-${example.month}-手工录入.pdf`),
    );
    for (const expected of [
      '社会救助测算单',
      '不是救助审批决定',
      '最低生活保障',
      yuan,
      '张建国',
      '所用政策参数',
      '二手来源',
      '2025-07-01',
      '本单为测算，不是决定',
    ]) {
      expect(text, expected).toContain(expected);
    }
  });

  it('a bad calculator body is a Chinese 400 and no PDF', async () => {
    const response = await finance.post('/api/policy/calculate/document.pdf', {
      month: '2026-13',
      household: { members: [] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/json');
    const bad = await finance.post('/api/policy/calculate/document.pdf', {
      month: '2026-05',
      household: { members: [{ id: 'm1', birthDate: '2030-01-01' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toContain('家庭数据不合法');
  });

  it('the 测算单 of a registered household names members with their relation to the head', async () => {
    const doc = (
      await street.get(`/api/policy/households/${data.a.householdId}/calculate/document?month=2026-05`)
    ).json<PrintDocument>();
    expect(doc.subtitle).toContain('KJ-0001');
    const body = JSON.stringify(doc);
    expect(body).toContain('张建国（户主）');
    expect(body).toContain('张建国妻（配偶）');
    expect(body).not.toContain(data.a.idNumber);
    const text = pdfText(
      await street.get(`/api/policy/households/${data.a.householdId}/calculate/document.pdf?month=2026-05`),
    );
    expect(text).toContain('张建国（户主）');
    expect(text).toContain('张建国家地址');
  });
});
