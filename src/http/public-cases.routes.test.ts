import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { auditLog } from '../audit/schema.ts';
import { ALL } from '../auth/scope.ts';
import { cases } from '../cases/schema.ts';
import { publicApplications } from '../cases/public/schema.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { makeIdNumber } from '../registry/id-number.ts';
import { createHousehold } from '../registry/registry.service.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { addUser, loginAs, seedTwoStreets, testServer, type TwoStreets } from './test-helpers.ts';

interface Receipt {
  receiptNo: string;
  message: string;
  contactWithinWorkingDays: number;
  contactBy: string;
}
interface ErrorBody {
  error: { code: string; message: string; requestId: string; details?: { field?: string; reason: string }[] };
}

/** The error body without its request id: what must not differ between a wrong pair and an unknown code. */
const sansRequestId = (r: LightMyRequestResponse) => {
  const { error } = r.json<ErrorBody>();
  return { ...error, requestId: undefined };
};

/**
 * 网上申请与办理进度查询 through the API, without an account: the same answer whether or not the registry
 * knows the applicant (in the district, elsewhere, nowhere), bad input refused with nothing written, the
 * rate limits, the status page's wrong pair read as an unknown code, the street's acceptance of the draft.
 */
describeStores('public application and status routes', (ctx) => {
  let app: FastifyInstance;
  let data: TwoStreets;
  let xuhui: { idNumber: string; name: string };
  let restore: () => void;

  const form = (over: Record<string, unknown> = {}) => ({
    name: '张建国',
    idNumber: data.a.idNumber,
    phone: '13912340011',
    streetCode: '310110012',
    address: '控江路 100 弄 1 号 101 室',
    householdNote: '夫妻二人，丈夫失业',
    programs: ['dibao'],
    consent: true,
    ...over,
  });
  const apply = (body: unknown, server = app, ip = '203.0.113.1') =>
    server.inject({
      method: 'POST',
      url: '/api/public/applications',
      payload: body as object,
      remoteAddress: ip,
    });
  const status = (code: string, idNumber: string, server = app, ip = '198.51.100.1') =>
    server.inject({
      method: 'POST',
      url: '/api/public/status',
      payload: { code, idNumber },
      remoteAddress: ip,
    });
  const count = async () => (await ctx.store.db.select().from(publicApplications)).length;
  const caseCount = async () => (await ctx.store.db.select().from(cases)).length;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    app = await testServer(ctx.store, {
      MINZHENG_PUBLIC_MIN_RESPONSE_MS: '0',
      MINZHENG_PUBLIC_APPLY_PER_IP_HOUR: '100',
      MINZHENG_PUBLIC_STATUS_PER_IP_HOUR: '100',
    });
    data = await seedTwoStreets(ctx.store);
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    // A household of another district (徐汇区) in the same registry.
    xuhui = { idNumber: makeIdNumber('310104', '1970-05-05', 31), name: '王志强' };
    await inUnitOfWork(ctx.store, { userId: 'seed', divisionCode: '310104', reason: '测试数据' }, (tx) =>
      createHousehold(tx, ALL, {
        householdNo: 'XH-0001',
        committeeCode: '310104003001',
        address: '徐汇区某路 1 号',
        validFrom: '2020-01-01',
        members: [
          {
            relationCode: '02',
            person: {
              idNumber: xuhui.idNumber,
              name: xuhui.name,
              sex: 1,
              birthDate: '1970-05-05',
              hukouDivisionCode: '310104003001',
            },
          },
        ],
      }),
    );
  });
  afterAll(async () => {
    restore?.();
    await app.close();
  });

  it('offers the district’s streets and the programs by name', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/public/options' });
    expect(r.statusCode).toBe(200);
    const body = r.json<{ streets: { code: string }[]; programs: { code: string; name: string }[] }>();
    expect(body.streets.map((s) => s.code)).toContain('310110012');
    expect(body.streets.every((s) => s.code.startsWith('310110'))).toBe(true);
    expect(body.programs).toContainEqual({ code: 'dibao', name: '最低生活保障' });
  });

  it('refuses an invalid ID number per field with nothing written, and audits the refusal', async () => {
    const bad = data.a.idNumber.slice(0, 17) + (data.a.idNumber.endsWith('1') ? '2' : '1');
    const r = await apply(form({ idNumber: bad, phone: '12345' }));
    expect(r.statusCode).toBe(400);
    const body = r.json<ErrorBody>();
    expect(body.error.message).toContain('身份证号校验位错误');
    expect(body.error.details?.map((d) => d.field)).toEqual(['idNumber', 'phone']);
    expect(await count()).toBe(0);
    expect(await caseCount()).toBe(0);
    const audit = await ctx.store.db
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.action, 'cases.public_application'), eq(auditLog.requestId, body.error.requestId)),
      );
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actorId).toBe('system:public-form');
    expect(JSON.stringify(audit[0]?.after)).not.toContain(bad);
  });

  it('refuses a street outside the district (the resident’s own answer) with a clear error', async () => {
    const r = await apply(form({ streetCode: '310104003' }));
    expect(r.statusCode).toBe(400);
    expect(r.json<ErrorBody>().error.message).toContain('杨浦区');
    expect(r.json<ErrorBody>().error.details?.[0]?.field).toBe('streetCode');
    const noConsent = await apply(form({ consent: false }));
    expect(noConsent.statusCode).toBe(400);
    expect(await count()).toBe(0);
  });

  let receipts: { known: Receipt; unknown: Receipt; elsewhere: Receipt };

  it('answers alike whether the registry knows the applicant here, elsewhere or not at all', async () => {
    const known = await apply(form());
    const unknown = await apply(
      form({ name: '赵无名', idNumber: makeIdNumber('310110', '1980-01-01', 501) }),
    );
    const elsewhere = await apply(form({ name: xuhui.name, idNumber: xuhui.idNumber }));
    for (const r of [known, unknown, elsewhere]) {
      expect(r.statusCode).toBe(200);
      expect(Object.keys(r.json<Receipt>()).sort()).toEqual(
        ['contactBy', 'contactWithinWorkingDays', 'message', 'receiptNo'].sort(),
      );
      expect(r.json<Receipt>().receiptNo).toMatch(/^WS[2-9A-HJ-NP-Z]{10}$/);
      expect(r.headers['content-length']).toBe(known.headers['content-length']);
    }
    const strip = (r: LightMyRequestResponse) => ({ ...r.json<Receipt>(), receiptNo: '' });
    expect(strip(unknown)).toEqual(strip(known));
    expect(strip(elsewhere)).toEqual(strip(known));
    expect(known.json<Receipt>().message).toMatch(/^已收到，街道将在 \d+ 个工作日内联系您$/);
    receipts = {
      known: known.json<Receipt>(),
      unknown: unknown.json<Receipt>(),
      elsewhere: elsewhere.json<Receipt>(),
    };
    // Behind the answer: one draft for the known household, the others left for the street to match.
    const rows = await ctx.store.db.select().from(publicApplications);
    const stateOf = (no: string) => rows.find((r) => r.receiptNo === no)?.state;
    expect(stateOf(receipts.known.receiptNo)).toBe('drafted');
    expect(stateOf(receipts.unknown.receiptNo)).toBe('unmatched');
    expect(stateOf(receipts.elsewhere.receiptNo)).toBe('unmatched');
    const drafts = await ctx.store.db.select().from(cases);
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      householdId: data.a.householdId,
      applicantPersonId: data.a.personId,
      channel: 'online',
      state: 'draft',
      createdBy: 'system:public-form',
    });
    const audits = await ctx.store.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.actorId, 'system:public-form'));
    const requestIds = new Set(audits.map((a) => a.requestId));
    for (const r of [known, unknown, elsewhere]) expect(requestIds).toContain(r.headers['x-request-id']);
  });

  it('shows the status for the receipt and ID number, the same for a draft as for an unmatched one', async () => {
    const known = await status(receipts.known.receiptNo, data.a.idNumber);
    const unknown = await status(receipts.unknown.receiptNo, makeIdNumber('310110', '1980-01-01', 501));
    expect(known.statusCode).toBe(200);
    expect(unknown.statusCode).toBe(200);
    const strip = (r: LightMyRequestResponse) => ({ ...r.json<{ code: string }>(), code: '' });
    expect(strip(known)).toEqual(strip(unknown));
    expect(known.json()).toMatchObject({
      status: '已收到，等待街道核实受理',
      decision: null,
      programs: ['最低生活保障'],
    });
    expect(JSON.stringify(known.json())).not.toContain('张建国');
  });

  it('answers a wrong pair exactly as an unknown code, and audits both', async () => {
    const before = await ctx.store.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'cases.public_status_refused'));
    const wrongPair = await status(receipts.known.receiptNo, data.b.idNumber);
    const unknownCode = await status('WS2345678923', data.a.idNumber);
    const garbage = await status('随便写的', data.a.idNumber);
    expect(wrongPair.statusCode).toBe(404);
    expect(unknownCode.statusCode).toBe(404);
    expect(garbage.statusCode).toBe(404);
    expect(sansRequestId(wrongPair)).toEqual(sansRequestId(unknownCode));
    expect(sansRequestId(garbage)).toEqual(sansRequestId(unknownCode));
    expect(wrongPair.body.length).toBe(unknownCode.body.length);
    const after = await ctx.store.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'cases.public_status_refused'));
    expect(after.length - before.length).toBe(3);
  });

  it('follows the draft once the street accepts it, by receipt and by case code', async () => {
    const street = await loginAs(app, 'kj');
    const [draft] = await ctx.store.db.select().from(cases);
    const accept = await street.post(`/api/cases/310110/${draft?.id}/actions/accept`, {
      version: draft?.version,
    });
    expect(accept.statusCode).toBe(200);
    const byReceipt = await status(receipts.known.receiptNo, data.a.idNumber.toLowerCase());
    expect(byReceipt.statusCode).toBe(200);
    expect(byReceipt.json()).toMatchObject({ status: '已受理' });
    const byCase = await status(draft?.caseNo ?? '', data.a.idNumber);
    expect(byCase.statusCode).toBe(200);
    expect(byCase.json()).toMatchObject({ code: draft?.caseNo, status: '已受理' });
    const caseWrongPair = await status(draft?.caseNo ?? '', data.b.idNumber);
    expect(caseWrongPair.statusCode).toBe(404);
    expect(sansRequestId(caseWrongPair)).toEqual(
      sansRequestId(await status('WS2345678923', data.a.idNumber)),
    );
  });

  it('lists the unmatched applications for the street, masked; the full contact only with a purpose, audited', async () => {
    await addUser(ctx.store, 'yh', 'street_caseworker', '310110016');
    await addUser(ctx.store, 'jw', 'committee_assistant', data.a.committeeCode);
    const street = await loginAs(app, 'kj');
    const otherStreet = await loginAs(app, 'yh');
    const committee = await loginAs(app, 'jw');
    interface Item {
      districtCode: string;
      id: string;
      receiptNo: string;
      idNumberMasked: string;
      phoneMasked: string;
      streetName: string;
    }
    const list = await street.get('/api/online-applications');
    expect(list.statusCode).toBe(200);
    const items = list.json<{ items: Item[] }>().items;
    expect(items.map((i) => i.receiptNo).sort()).toEqual(
      [receipts.unknown.receiptNo, receipts.elsewhere.receiptNo].sort(),
    );
    expect(items[0]?.idNumberMasked).toMatch(/^\d{6}\*+\d{3}[\dX]$/);
    expect(items[0]?.phoneMasked).not.toBe('13912340011');
    expect(items[0]?.streetName).toBe('控江路街道');
    expect((await otherStreet.get('/api/online-applications')).json<{ total: number }>().total).toBe(0);
    expect((await committee.get('/api/online-applications')).statusCode).toBe(403);
    const item = items[0] as Item;
    const url = `/api/online-applications/${item.districtCode}/${item.id}/contact`;
    expect((await street.post(url, {})).statusCode).toBe(400);
    expect((await otherStreet.post(url, { purpose: '回电核实' })).statusCode).toBe(404);
    const reveal = await street.post(url, { purpose: '回电核实申请人情况' });
    expect(reveal.statusCode).toBe(200);
    const contact = reveal.json<{ idNumber: string; phone: string }>();
    expect(contact.idNumber).toMatch(/^\d{17}[\dX]$/);
    expect(contact.phone).toBe('13912340011');
    const audit = await ctx.store.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'person.unmask'), eq(auditLog.entityId, item.id)));
    expect(audit).toHaveLength(1);
    expect(audit[0]?.reason).toBe('回电核实申请人情况');
  });

  it('limits applications per ID number and per IP address, and status queries per code (429 in Chinese)', async () => {
    const strict = await testServer(ctx.store, {
      MINZHENG_PUBLIC_MIN_RESPONSE_MS: '0',
      MINZHENG_PUBLIC_APPLY_PER_ID_DAY: '2',
      MINZHENG_PUBLIC_APPLY_PER_IP_HOUR: '3',
      MINZHENG_PUBLIC_STATUS_PER_CODE_HOUR: '2',
    });
    try {
      const id = makeIdNumber('310110', '1985-02-02', 601);
      const one = form({ name: '钱某', idNumber: id });
      expect((await apply(one, strict, '192.0.2.1')).statusCode).toBe(200);
      expect((await apply(one, strict, '192.0.2.2')).statusCode).toBe(200);
      const before = await count();
      const third = await apply(one, strict, '192.0.2.3');
      expect(third.statusCode).toBe(429);
      expect(third.json<ErrorBody>().error.code).toBe('RATE_LIMITED');
      expect(third.json<ErrorBody>().error.message).toMatch(/^提交次数过多，请 \d+ 分钟后再试$/);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      expect(await count()).toBe(before);
      // One address, three different people: the fourth is refused.
      for (const seq of [603, 605]) {
        const r = await apply(
          form({ name: '孙某', idNumber: makeIdNumber('310110', '1985-02-02', seq) }),
          strict,
          '192.0.2.9',
        );
        expect(r.statusCode).toBe(200);
      }
      expect(
        (
          await apply(
            form({ name: '孙某', idNumber: makeIdNumber('310110', '1985-02-02', 607) }),
            strict,
            '192.0.2.9',
          )
        ).statusCode,
      ).toBe(200);
      expect(
        (
          await apply(
            form({ name: '孙某', idNumber: makeIdNumber('310110', '1985-02-02', 609) }),
            strict,
            '192.0.2.9',
          )
        ).statusCode,
      ).toBe(429);
      // Guessing ID numbers for one code from many addresses: the code's counter stops it.
      const code = receipts.unknown.receiptNo;
      expect((await status(code, data.a.idNumber, strict, '192.0.2.20')).statusCode).toBe(404);
      expect((await status(code, data.b.idNumber, strict, '192.0.2.21')).statusCode).toBe(404);
      const limited = await status(code, makeIdNumber('310110', '1980-01-01', 501), strict, '192.0.2.22');
      expect(limited.statusCode).toBe(429);
      expect(limited.json<ErrorBody>().error.message).toContain('查询次数过多');
    } finally {
      await strict.close();
    }
  });

  it('takes at least the configured time to answer', async () => {
    const slow = await testServer(ctx.store, { MINZHENG_PUBLIC_MIN_RESPONSE_MS: '150' });
    try {
      const started = performance.now();
      const r = await status('WS2345678923', data.a.idNumber, slow);
      expect(r.statusCode).toBe(404);
      expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    } finally {
      await slow.close();
    }
  });

  it('needs no session or CSRF token, and refuses a body that is not JSON', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/public/status',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'code=WS2345678923&idNumber=1',
    });
    expect(r.statusCode).toBe(415);
  });
});
