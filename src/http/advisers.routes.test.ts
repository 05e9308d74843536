import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { auditLog } from '../audit/schema.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { addUser, loginAs, seedTwoStreets, testServer, type Agent, type TwoStreets } from './test-helpers.ts';

interface Written {
  id: string;
  districtCode: string;
  state: string;
  version: number;
}
interface ErrorBody {
  error: { code: string; message: string; details?: { reason: string }[] };
}

const ALL_DIMENSIONS = ['income', 'health', 'care', 'housing', 'education', 'employment', 'mental', 'social'];

/**
 * 社区救助顾问 through the API: a street caseworker assigns an adviser; the adviser records visits, an
 * assessment, a plan and a referral; who may read and write what; stale versions, wrong states, the
 * household's timeline and the audit rows.
 */
describeStores('adviser routes', (ctx) => {
  let app: FastifyInstance;
  let data: TwoStreets;
  let street: Agent; // 控江路街道 caseworker
  let otherStreet: Agent; // 殷行街道 caseworker
  let adviser: Agent; // 控江路街道 adviser
  let otherAdviser: Agent; // 殷行街道 adviser
  let adviserId: string;
  let otherAdviserId: string;
  let restore: () => void;
  let householdUrl: string;

  const put = (agent: Agent, url: string, body: unknown): Promise<LightMyRequestResponse> =>
    app.inject({
      method: 'PUT',
      url,
      headers: { cookie: agent.cookie, 'x-csrf-token': agent.csrf },
      payload: body as Record<string, unknown>,
    });

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    app = await testServer(ctx.store);
    data = await seedTwoStreets(ctx.store);
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'yh', 'street_caseworker', '310110016');
    adviserId = await addUser(ctx.store, 'gw', 'assistance_adviser', '310110012');
    otherAdviserId = await addUser(ctx.store, 'gw2', 'assistance_adviser', '310110016');
    street = await loginAs(app, 'kj');
    otherStreet = await loginAs(app, 'yh');
    adviser = await loginAs(app, 'gw');
    otherAdviser = await loginAs(app, 'gw2');
    householdUrl = `/api/advisers/households/310110/${data.a.householdId}`;
  });
  afterAll(async () => {
    restore();
    await app.close();
  });

  it('lets a street caseworker assign an adviser of the street, and no one else', async () => {
    const listed = (await street.get('/api/advisers/advisers')).json<{ items: { id: string }[] }>();
    expect(listed.items.map((a) => a.id)).toEqual([adviserId]);
    const wrongStreet = await street.post('/api/advisers/assignments', {
      householdId: data.a.householdId,
      adviserId: otherAdviserId,
    });
    expect(wrongStreet.statusCode).toBe(400);
    expect(wrongStreet.json<ErrorBody>().error.message).toContain('不是您辖区内的社区救助顾问');
    const outOfScope = await otherStreet.post('/api/advisers/assignments', {
      householdId: data.a.householdId,
      adviserId: otherAdviserId,
    });
    expect(outOfScope.statusCode).toBe(404);
    const byAdviser = await adviser.post('/api/advisers/assignments', {
      householdId: data.a.householdId,
      adviserId,
    });
    expect(byAdviser.statusCode).toBe(403);
    const assigned = await street.post('/api/advisers/assignments', {
      householdId: data.a.householdId,
      adviserId,
      reason: '低保家庭，安排救助顾问跟进',
    });
    expect(assigned.statusCode).toBe(201);
    expect(assigned.json<Written>()).toMatchObject({ state: 'active', version: 1 });
    const again = await street.post('/api/advisers/assignments', {
      householdId: data.a.householdId,
      adviserId,
    });
    expect(again.statusCode).toBe(409);
  });

  it('shows each adviser only their own caseload, and the household only to whom may read it', async () => {
    const mine = (await adviser.get('/api/advisers/caseload')).json<{
      items: { householdNo: string; headName: string; assignment: { adviserName: string } }[];
    }>();
    expect(mine.items).toHaveLength(1);
    expect(mine.items[0]).toMatchObject({ householdNo: 'KJ-0001', headName: '张建国' });
    expect(mine.items[0]?.assignment.adviserName).toBe('gw');
    expect((await otherAdviser.get('/api/advisers/caseload')).json<{ total: number }>().total).toBe(0);
    expect((await otherAdviser.get(householdUrl)).statusCode).toBe(404);
    expect((await otherStreet.get(householdUrl)).statusCode).toBe(404);
    const record = (await street.get(householdUrl)).json<{
      mayRecord: boolean;
      members: { name: string; idNumberMasked: string }[];
    }>();
    expect(record.mayRecord).toBe(false);
    expect(record.members.map((m) => m.name)).toEqual(['张建国', '张建国妻']);
    expect(record.members[0]?.idNumberMasked).not.toBe(data.a.idNumber);
    expect((await adviser.get(householdUrl)).json<{ mayRecord: boolean }>().mayRecord).toBe(true);
  });

  it('records a visit, refuses bad input and a stale version, and keeps both steps', async () => {
    const visit = { visitedOn: '2026-11-30', mode: 'home', notes: '上门了解老人就医情况，家中无人照料。' };
    const byCaseworker = await street.post(`${householdUrl}/visits`, visit);
    expect(byCaseworker.statusCode).toBe(403);
    const future = await adviser.post(`${householdUrl}/visits`, {
      ...visit,
      visitedOn: '2026-12-05',
      notes: ' ',
    });
    expect(future.statusCode).toBe(400);
    expect(future.json<ErrorBody>().error.details?.map((d) => d.reason)).toEqual([
      '走访日期不能晚于今天（2026-12-01）',
      '走访情况至少 2 个字',
    ]);
    const noCase = await adviser.post(`${householdUrl}/visits`, { ...visit, caseId: data.a.personId });
    expect(noCase.statusCode).toBe(400);
    expect(noCase.json<ErrorBody>().error.message).toContain('所属个案不存在');
    const created = await adviser.post(`${householdUrl}/visits`, visit);
    expect(created.statusCode).toBe(201);
    const { id } = created.json<Written>();
    const revised = await put(adviser, `/api/advisers/visits/310110/${id}`, {
      ...visit,
      mode: 'phone',
      version: 1,
    });
    expect(revised.json<Written>()).toMatchObject({ version: 2, state: 'recorded' });
    const stale = await put(adviser, `/api/advisers/visits/310110/${id}`, { ...visit, version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json<ErrorBody>().error.code).toBe('STALE_VERSION');
    const record = (await adviser.get(householdUrl)).json<{
      visits: { modeName: string; version: number }[];
    }>();
    expect(record.visits).toEqual([expect.objectContaining({ modeName: '电话', version: 2 })]);
  });

  it('takes an assessment only when every dimension of the checklist is filled in', async () => {
    const partial = await adviser.post(`${householdUrl}/assessments`, {
      assessedOn: '2026-12-01',
      items: [{ dimension: 'health', level: 0, signs: ['chronic'] }],
      summary: '初评',
    });
    expect(partial.statusCode).toBe(400);
    const reasons = partial.json<ErrorBody>().error.details?.map((d) => d.reason) ?? [];
    expect(reasons).toContain('「健康与医疗」勾选了困难表现，却评为无困难');
    expect(reasons.some((r) => r.startsWith('以下评估维度未填写：收入与支出、照料'))).toBe(true);
    const items = ALL_DIMENSIONS.map((dimension) => ({
      dimension,
      level: dimension === 'care' ? 3 : dimension === 'health' ? 2 : 0,
      signs: dimension === 'care' ? ['alone_elder', 'no_carer'] : dimension === 'health' ? ['chronic'] : [],
      note: dimension === 'care' ? '老人独居，子女在外地' : '',
    }));
    const created = await adviser.post(`${householdUrl}/assessments`, {
      assessedOn: '2026-12-01',
      items,
      summary: '照料与就医需求突出',
    });
    expect(created.statusCode).toBe(201);
    const record = (await adviser.get(householdUrl)).json<{
      assessments: { priorities: string[]; items: { dimensionName: string; signs: { name: string }[] }[] }[];
    }>();
    expect(record.assessments[0]?.priorities).toEqual(['照料', '健康与医疗']);
    expect(
      record.assessments[0]?.items.find((i) => i.dimensionName === '照料')?.signs.map((s) => s.name),
    ).toEqual(['有独居或空巢老人', '缺少照料人或照料人负担过重']);
  });

  it('moves a plan through 草拟 → 执行中 → 已完成, refusing the wrong steps', async () => {
    const body = {
      kind: 'companion',
      goals: '每月上门一次，协助办理长护险评估',
      reviewOn: '2027-03-01',
      actions: [
        { title: '协助申请长护险评估', dueOn: '2026-11-25' },
        { title: '联系居家养老服务', dueOn: '2026-12-20' },
      ],
    };
    const created = await adviser.post(`${householdUrl}/plans`, body);
    expect(created.statusCode).toBe(201);
    const plan = created.json<Written>();
    expect(plan.state).toBe('draft');
    expect((await adviser.post(`${householdUrl}/plans`, body)).statusCode).toBe(400);
    const wrong = await adviser.post(`/api/advisers/plans/310110/${plan.id}/actions/complete`, {
      version: 1,
      reason: '完成',
    });
    expect(wrong.statusCode).toBe(400);
    const started = await adviser.post(`/api/advisers/plans/310110/${plan.id}/actions/start`, {
      version: 1,
      reason: '与家庭商定后执行',
    });
    expect(started.json<Written>()).toMatchObject({ state: 'active', version: 2 });

    const load = (await adviser.get('/api/advisers/caseload')).json<{
      items: { nextDue: { title: string; dueOn: string }; overdueCount: number; lastVisitOn: string }[];
    }>();
    expect(load.items[0]).toMatchObject({
      nextDue: { title: '协助申请长护险评估', dueOn: '2026-11-25' },
      overdueCount: 1,
      lastVisitOn: '2026-11-30',
    });
    expect((await street.get('/api/advisers/caseload?overdue=true')).json<{ total: number }>().total).toBe(1);

    const early = await adviser.post(`/api/advisers/plans/310110/${plan.id}/actions/complete`, {
      version: 2,
      reason: '完成',
    });
    expect(early.statusCode).toBe(400);
    expect(early.json<ErrorBody>().error.message).toContain('协助申请长护险评估');
    const adjusted = await put(adviser, `/api/advisers/plans/310110/${plan.id}`, {
      ...body,
      version: 2,
      actions: [
        { title: '协助申请长护险评估', dueOn: '2026-11-25', status: 'done', doneOn: '2026-11-28' },
        { title: '联系居家养老服务', dueOn: '2026-12-20', status: 'dropped' },
      ],
    });
    expect(adjusted.json<Written>()).toMatchObject({ state: 'active', version: 3 });
    const completed = await adviser.post(`/api/advisers/plans/310110/${plan.id}/actions/complete`, {
      version: 3,
      reason: '目标达成',
    });
    expect(completed.json<Written>()).toMatchObject({ state: 'completed', version: 4 });
    const edit = await put(adviser, `/api/advisers/plans/310110/${plan.id}`, { ...body, version: 4 });
    expect(edit.statusCode).toBe(409);
    expect(edit.json<ErrorBody>().error.code).toBe('WRONG_STATE');
  });

  it('records a referral and its outcome once', async () => {
    const unknown = await adviser.post(`${householdUrl}/referrals`, {
      referredOn: '2026-12-01',
      targetKind: 'program',
      target: 'nothing',
      notes: '申请低保',
    });
    expect(unknown.statusCode).toBe(400);
    const created = await adviser.post(`${householdUrl}/referrals`, {
      referredOn: '2026-12-01',
      targetKind: 'program',
      target: 'dibao',
      notes: '收入下降，转介申请低保',
    });
    const referral = created.json<Written>();
    expect(referral.state).toBe('referred');
    const accepted = await adviser.post(`/api/advisers/referrals/310110/${referral.id}/actions/accept`, {
      version: 1,
      outcome: '街道已受理低保申请',
      outcomeOn: '2026-12-01',
    });
    expect(accepted.json<Written>()).toMatchObject({ state: 'accepted', version: 2 });
    const twice = await adviser.post(`/api/advisers/referrals/310110/${referral.id}/actions/decline`, {
      version: 2,
      outcome: '不符合条件',
      outcomeOn: '2026-12-01',
    });
    expect(twice.statusCode).toBe(409);
    const record = (await street.get(householdUrl)).json<{
      referrals: { targetName: string; stateName: string; allowedActions: unknown[] }[];
    }>();
    expect(record.referrals[0]).toMatchObject({
      targetName: '最低生活保障',
      stateName: '已受理',
      allowedActions: [],
    });
  });

  it('puts every step on the household timeline, by name, and every write in the audit log', async () => {
    const record = (await street.get(householdUrl)).json<{
      timeline: { subject: string; actionLabel: string; actorName: string; reason: string }[];
    }>();
    const steps = record.timeline.map((e) => `${e.subject} ${e.actionLabel}`);
    expect(steps).toEqual(
      expect.arrayContaining([
        '救助顾问分派（gw） 分派救助顾问',
        '走访（电话，2026-11-30） 记录走访',
        '走访（电话，2026-11-30） 修改走访记录',
        '需求评估（2026-12-01） 需求评估',
        '帮扶计划（陪伴式） 草拟帮扶计划',
        '帮扶计划（陪伴式） 开始执行',
        '帮扶计划（陪伴式） 调整帮扶计划',
        '帮扶计划（陪伴式） 完成帮扶计划',
        '转介（最低生活保障） 转介',
        '转介（最低生活保障） 登记已受理',
      ]),
    );
    expect(record.timeline).toHaveLength(10);
    expect(record.timeline.find((e) => e.actionLabel === '分派救助顾问')?.reason).toBe(
      '低保家庭，安排救助顾问跟进',
    );
    expect(record.timeline.find((e) => e.actionLabel === '记录走访')?.actorName).toContain('gw');

    const rows = await ctx.store.db
      .select({ action: auditLog.action, entityType: auditLog.entityType, after: auditLog.after })
      .from(auditLog)
      .where(and(like(auditLog.entityType, 'adviser_%'), eq(auditLog.districtCode, '310110')));
    const count = (type: string) => rows.filter((r) => r.entityType === type).length;
    expect(count('adviser_assignment')).toBe(1);
    // A revision files its step and what changed.
    expect(count('adviser_visit')).toBe(3);
    expect(count('adviser_assessment')).toBe(1);
    expect(count('adviser_plan')).toBe(5);
    expect(count('adviser_referral')).toBe(2);
    const change = rows.find(
      (r) => r.entityType === 'adviser_visit' && r.after !== null && 'notes' in (r.after as object),
    );
    expect(change?.after).toMatchObject({ mode: 'phone' });
  });

  it('ends an assignment: the household leaves the caseload and the adviser may no longer write', async () => {
    const record = (await street.get(householdUrl)).json<{ assignment: { id: string; version: number } }>();
    const stale = await street.post(`/api/advisers/assignments/310110/${record.assignment.id}/end`, {
      version: 9,
      reason: '家庭迁出',
    });
    expect(stale.statusCode).toBe(409);
    const ended = await street.post(`/api/advisers/assignments/310110/${record.assignment.id}/end`, {
      version: record.assignment.version,
      reason: '家庭情况稳定，结束跟进',
    });
    expect(ended.json<Written>()).toMatchObject({ state: 'ended', version: 2 });
    expect((await adviser.get('/api/advisers/caseload')).json<{ total: number }>().total).toBe(0);
    const refused = await adviser.post(`${householdUrl}/visits`, {
      visitedOn: '2026-12-01',
      mode: 'phone',
      notes: '电话回访',
    });
    expect(refused.statusCode).toBe(404);
  });
});
