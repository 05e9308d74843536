import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { auditLog } from '../../audit/schema.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { makeIdNumber } from '../../registry/id-number.ts';
import {
  addUser,
  loginAs,
  seedTwoStreets,
  testServer,
  type Agent,
  type TwoStreets,
} from '../../http/test-helpers.ts';
import { cases } from '../schema.ts';
import { publicApplications } from './schema.ts';

interface Detail {
  districtCode: string;
  id: string;
  receiptNo: string;
  state: string;
  stateName: string;
  version: number;
  caseId: string | null;
  caseNo: string | null;
  outcome: string | null;
  outcomeName: string | null;
  outcomeNote: string | null;
  handledAt: string | null;
  registryMatch: { personName: string; nameMatches: boolean; householdNo: string | null } | null;
  timeline: {
    action: string;
    actionLabel: string;
    toStateLabel: string;
    actorName: string;
    reason: string;
  }[];
}
interface ErrorBody {
  error: { code: string; message: string; requestId: string; current?: { state: string | null } };
}

/**
 * 网上申请的办结 through the API: the street matches an unmatched application to the household the applicant
 * now belongs to (a draft case), or closes it with an outcome; both audited, refused from a final state,
 * with a stale version, for another street's application and for a committee; the applicant's status page
 * then shows the outcome's public words and nothing more, and a wrong pair still answers as unknown.
 */
describeStores('online applications: matching and closing', (ctx) => {
  let app: FastifyInstance;
  let data: TwoStreets;
  let street: Agent;
  let otherStreet: Agent;
  let committee: Agent;
  let restore: () => void;
  const receipts: Record<'typo' | 'stranger' | 'second', { receiptNo: string; idNumber: string }> = {
    typo: { receiptNo: '', idNumber: '' },
    stranger: { receiptNo: '', idNumber: '' },
    second: { receiptNo: '', idNumber: '' },
  };

  const apply = async (name: string, idNumber: string) => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/public/applications',
      payload: {
        name,
        idNumber,
        phone: '13912340099',
        streetCode: '310110012',
        address: '控江路 200 弄 2 号',
        householdNote: '',
        programs: ['dibao', 'temporary'],
        consent: true,
      },
    });
    expect(r.statusCode).toBe(200);
    return { receiptNo: r.json<{ receiptNo: string }>().receiptNo, idNumber };
  };
  const status = (code: string, idNumber: string) =>
    app.inject({ method: 'POST', url: '/api/public/status', payload: { code, idNumber } });
  const rowOf = async (receiptNo: string) =>
    (await ctx.store.db.select().from(publicApplications)).find((r) => r.receiptNo === receiptNo);
  const url = async (receiptNo: string, tail = '') => {
    const row = await rowOf(receiptNo);
    return `/api/online-applications/${row?.districtCode}/${row?.id}${tail}`;
  };
  const caseCount = async () => (await ctx.store.db.select().from(cases)).length;
  const sansRequestId = (r: LightMyRequestResponse) => ({
    ...r.json<ErrorBody>().error,
    requestId: undefined,
  });

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    app = await testServer(ctx.store, { MINZHENG_PUBLIC_MIN_RESPONSE_MS: '0' });
    data = await seedTwoStreets(ctx.store);
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'yh', 'street_caseworker', '310110016');
    await addUser(ctx.store, 'jw', 'committee_assistant', data.a.committeeCode);
    street = await loginAs(app, 'kj');
    otherStreet = await loginAs(app, 'yh');
    committee = await loginAs(app, 'jw');
    // The registry's 张建国 under a mistyped name, and a valid ID number the registry does not hold.
    receipts.typo = await apply('张建困', data.a.idNumber);
    receipts.stranger = await apply('赵无名', makeIdNumber('310110', '1980-01-01', 501));
    receipts.second = await apply('钱未知', makeIdNumber('310110', '1981-02-02', 503));
  });
  afterAll(async () => {
    restore?.();
    await app.close();
  });

  it('shows one application with the registry’s person of that ID number and their household, masked', async () => {
    const r = await street.get(await url(receipts.typo.receiptNo));
    expect(r.statusCode).toBe(200);
    const detail = r.json<Detail>();
    expect(detail).toMatchObject({ state: 'unmatched', stateName: '待匹配', version: 1, caseNo: null });
    expect(detail.registryMatch).toEqual({
      personName: '张建国',
      nameMatches: false,
      householdId: data.a.householdId,
      householdNo: 'KJ-0001',
      address: '张建国家地址',
    });
    expect(JSON.stringify(detail)).not.toContain(data.a.idNumber);
    const stranger = (await street.get(await url(receipts.stranger.receiptNo))).json<Detail>();
    expect(stranger.registryMatch).toBeNull();
    expect((await otherStreet.get(await url(receipts.typo.receiptNo))).statusCode).toBe(404);
    expect((await committee.get(await url(receipts.typo.receiptNo))).statusCode).toBe(403);
  });

  it('refuses to match to a household the applicant is not in, an unknown applicant, another street, a stale page', async () => {
    const before = await caseCount();
    const target = await url(receipts.typo.receiptNo, '/match');
    const notMember = await street.post(target, { version: 1, householdId: data.b.householdId });
    expect(notMember.statusCode).toBe(400);
    expect(notMember.json<ErrorBody>().error.message).toContain('不是所选家庭户的在册成员');
    const unknown = await street.post(await url(receipts.stranger.receiptNo, '/match'), {
      version: 1,
      householdId: data.a.householdId,
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<ErrorBody>().error.message).toContain('人口信息库中没有身份证号为');
    expect(unknown.json<ErrorBody>().error.message).not.toContain(receipts.stranger.idNumber);
    expect((await otherStreet.post(target, { version: 1, householdId: data.a.householdId })).statusCode).toBe(
      404,
    );
    expect((await committee.post(target, { version: 1, householdId: data.a.householdId })).statusCode).toBe(
      403,
    );
    const stale = await street.post(target, { version: 2, householdId: data.a.householdId });
    expect(stale.statusCode).toBe(409);
    expect(stale.json<ErrorBody>().error.code).toBe('STALE_VERSION');
    expect(await caseCount()).toBe(before);
    expect((await rowOf(receipts.typo.receiptNo))?.state).toBe('unmatched');
  });

  it('matches to the household the applicant belongs to: an online draft case, audited, with its timeline', async () => {
    // Sent days before the street could match it: the case's date and time limit are the resident's.
    await ctx.store.db
      .update(publicApplications)
      .set({ receivedAt: '2026-11-20T01:30:00.000Z' })
      .where(eq(publicApplications.receiptNo, receipts.typo.receiptNo));
    const r = await street.post(await url(receipts.typo.receiptNo, '/match'), {
      version: 1,
      householdId: data.a.householdId,
      note: '电话核实，申请人姓名填写有误，系张建国本人',
    });
    expect(r.statusCode).toBe(200);
    const detail = r.json<Detail>();
    expect(detail).toMatchObject({ state: 'matched', stateName: '已匹配建案', version: 2 });
    expect(detail.caseNo).toMatch(/^SA310110-2026-\d{6}$/);
    expect(detail.timeline.map((e) => [e.actionLabel, e.toStateLabel])).toEqual([['匹配建案', '已匹配建案']]);
    expect(detail.timeline[0]?.reason).toContain('姓名填写有误');
    const [draft] = await ctx.store.db
      .select()
      .from(cases)
      .where(eq(cases.id, detail.caseId ?? ''));
    expect(draft).toMatchObject({
      householdId: data.a.householdId,
      applicantPersonId: data.a.personId,
      channel: 'online',
      state: 'draft',
      programs: ['dibao', 'temporary'],
      contactPhone: '13912340099',
      appliedOn: '2026-11-20',
    });
    expect(new Date(draft!.receivedAt).toISOString()).toBe('2026-11-20T01:30:00.000Z');
    const audit = await ctx.store.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'cases.public_application_handled'), eq(auditLog.entityId, detail.id)));
    expect(audit.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(audit.map((a) => a.after))).toContain(detail.caseNo ?? '—');
    // Final: neither a second match nor a close.
    const again = await street.post(await url(receipts.typo.receiptNo, '/match'), {
      version: 2,
      householdId: data.a.householdId,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json<ErrorBody>().error.message).toContain('已匹配建案');
    const close = await street.post(await url(receipts.typo.receiptNo, '/close'), {
      version: 2,
      outcome: 'duplicate',
      note: '重复',
    });
    expect(close.statusCode).toBe(409);
    expect(
      (await ctx.store.db.select().from(cases)).filter((c) => c.householdId === data.a.householdId),
    ).toHaveLength(1);
  });

  it('the applicant follows the matched application as a case', async () => {
    const r = await status(receipts.typo.receiptNo, receipts.typo.idNumber);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      status: '已收到，等待街道核实受理',
      programs: ['最低生活保障', '临时救助'],
    });
  });

  it('closes with an outcome and a note; refuses no note, an unknown outcome and a stale version', async () => {
    const target = await url(receipts.stranger.receiptNo, '/close');
    expect((await street.post(target, { version: 1, outcome: 'other_district', note: ' ' })).statusCode).toBe(
      400,
    );
    expect((await street.post(target, { version: 1, outcome: 'maybe', note: '已答复' })).statusCode).toBe(
      400,
    );
    expect(
      (await street.post(target, { version: 3, outcome: 'other_district', note: '已答复' })).statusCode,
    ).toBe(409);
    expect(
      (await otherStreet.post(target, { version: 1, outcome: 'other_district', note: '已答复' })).statusCode,
    ).toBe(404);
    expect((await rowOf(receipts.stranger.receiptNo))?.state).toBe('unmatched');
    const r = await street.post(target, {
      version: 1,
      outcome: 'other_district',
      note: '申请人户籍在徐汇区，已电话告知向户籍地申请',
    });
    expect(r.statusCode).toBe(200);
    expect(r.json<Detail>()).toMatchObject({
      state: 'closed',
      stateName: '已办结',
      outcome: 'other_district',
      outcomeName: '非本区户籍，已告知向户籍地申请',
      outcomeNote: '申请人户籍在徐汇区，已电话告知向户籍地申请',
      caseId: null,
    });
    const audit = await ctx.store.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'cases.public_application_handled'));
    expect(audit.some((a) => a.reason?.includes('非本区户籍') && a.actorId !== null)).toBe(true);
    const twice = await street.post(target, { version: 2, outcome: 'duplicate', note: '再次办结' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json<ErrorBody>().error.code).toBe('WRONG_STATE');
  });

  it('shows the applicant the outcome in plain words, not the note; a wrong pair still answers as unknown', async () => {
    const r = await status(receipts.stranger.receiptNo, receipts.stranger.idNumber);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      code: receipts.stranger.receiptNo,
      receivedOn: '2026-12-01',
      status: '已办结',
      explanation: '街道已与您电话联系：请向户籍所在地的街道（乡镇）社区事务受理服务中心提出申请',
      dueOn: null,
      decision: null,
      programs: ['最低生活保障', '临时救助'],
    });
    expect(r.body).not.toContain('徐汇区');
    const wrongPair = await status(receipts.stranger.receiptNo, data.b.idNumber);
    const unknown = await status('WS2345678923', receipts.stranger.idNumber);
    expect(wrongPair.statusCode).toBe(404);
    expect(sansRequestId(wrongPair)).toEqual(sansRequestId(unknown));
  });

  it('lists each state for the street: the open ones by default, the closed with their outcome', async () => {
    const open = (await street.get('/api/online-applications')).json<{ items: Detail[] }>().items;
    expect(open.map((i) => i.receiptNo)).toEqual([receipts.second.receiptNo]);
    const closed = (await street.get('/api/online-applications?state=closed')).json<{ items: Detail[] }>()
      .items;
    expect(closed.map((i) => [i.receiptNo, i.outcomeName])).toEqual([
      [receipts.stranger.receiptNo, '非本区户籍，已告知向户籍地申请'],
    ]);
    const matched = (await street.get('/api/online-applications?state=matched')).json<{ items: Detail[] }>()
      .items;
    expect(matched.map((i) => i.receiptNo)).toEqual([receipts.typo.receiptNo]);
    expect(
      (await otherStreet.get('/api/online-applications?state=closed')).json<{ total: number }>().total,
    ).toBe(0);
  });
});
