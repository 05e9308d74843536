import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { divisionScope } from '../../auth/scope.ts';
import type { WorkingCalendar } from '../../calendar/working-calendar.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { renderPdf } from '../../documents/pdf.renderer.ts';
import { inspectPdf } from '../../documents/pdf-inspect.test-helpers.ts';
import { denyDecision, grantDecision, prepareDecision } from '../../entitlements/decision.service.ts';
import {
  APPROVER,
  approverActor,
  CASEWORKER,
  caseworkerActor,
  OTHER_STREET,
  seedCase,
  type SeededCase,
} from '../../entitlements/entitlements.fixtures.ts';
import { calendarFor } from '../../verification/verification.fixtures.ts';
import type { CaseCaller } from '../case.deps.ts';
import { caseNoticeDocument, publicityListDocument, type CaseNotice } from './index.ts';
import { caseNoticeData, decisionDueOn } from './notice.data.ts';
import { NoticeError } from './notices.errors.ts';
import { publicityListData } from './publicity.data.ts';

const TODAY = '2026-12-01';
const COMMITTEE: CaseCaller = {
  scope: divisionScope('310110012001'),
  role: 'committee_assistant',
  userId: 'u-committee',
};

const keyOf = (c: SeededCase) => ({ districtCode: c.districtCode, id: c.caseId });

async function refusal(p: Promise<unknown>): Promise<NoticeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof NoticeError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('decision due day', () => {
  it('adds each required step’s working days and the publicity’s calendar days, in step order', () => {
    // A calendar where every day is a working day: the sum is plain arithmetic on dates.
    const everyDay = { addWorkingDays: (d: string, n: number) => shift(d, n) } as unknown as WorkingCalendar;
    const short = decisionDueOn(everyDay, '2026-11-23', '2026-11-20', ['verify', 'review', 'decide']);
    const full = decisionDueOn(everyDay, '2026-11-23', '2026-11-20', [
      'verify',
      'visit',
      'evaluation',
      'review',
      'publicity',
      'decide',
    ]);
    expect(short > '2026-11-23').toBe(true);
    expect(full > short).toBe(true);
  });
});

function shift(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

describeStores('case notices from a case', (ctx) => {
  let restore: () => void;
  let calendar: WorkingCalendar;
  let granted: SeededCase;
  let denied: SeededCase;
  const context = () => ({ calendar, today: TODAY });
  const setCase = (c: SeededCase, assignments: string) =>
    ctx.store.db.execute(
      sql`update cases set ${sql.raw(assignments)} where district_code = '310110' and id = ${c.caseId}::uuid`,
    );

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    calendar = await calendarFor(ctx.store);
    granted = await seedCase(ctx.store, 'N1');
    denied = await seedCase(ctx.store, 'N2');
    for (const c of [granted, denied]) {
      await setCase(
        c,
        `accepted_on = '2026-11-23', required_steps = '{verify,visit,review,publicity,decide}', decider = 'district'`,
      );
    }
  });
  afterAll(() => restore());

  it('fills the acceptance notice: applicant masked, programs by name, the steps ahead and the due day', async () => {
    const notice = await caseNoticeData(ctx.store.db, CASEWORKER, keyOf(granted), 'acceptance', context());
    expect(notice.kind).toBe('acceptance');
    if (notice.kind !== 'acceptance') return;
    const data = notice.data;
    expect(data.caseCode).toBe(granted.caseNo);
    expect(data.applicantName).toBe(granted.adult.name);
    expect(data.applicantIdNumber).toMatch(/^310110\*{8}\d{3}[\dX]$/);
    expect(data.programs).toEqual(['最低生活保障', '困境儿童基本生活费']);
    expect(data.nextSteps).toEqual(['家庭经济状况核对', '入户调查', '审核', '公示', '审批']);
    expect(data.dueOn).toBe(
      decisionDueOn(calendar, '2026-11-23', '2026-11-20', [
        'verify',
        'visit',
        'review',
        'publicity',
        'decide',
      ]),
    );
    expect(data.dueOn > '2026-12-21').toBe(true);
  });

  it('refuses a notice whose event has not happened, and a case outside the caller’s scope', async () => {
    for (const kind of ['approval', 'denial', 'non-acceptance'] as const) {
      const e = await refusal(caseNoticeData(ctx.store.db, CASEWORKER, keyOf(granted), kind, context()));
      expect(e.code).toBe('not_issued');
    }
    const hidden = await refusal(
      caseNoticeData(ctx.store.db, OTHER_STREET, keyOf(granted), 'acceptance', context()),
    );
    expect(hidden.code).toBe('not_found');
    const finance = { ...CASEWORKER, role: 'finance_officer' } as CaseCaller;
    expect(
      (await refusal(caseNoticeData(ctx.store.db, finance, keyOf(granted), 'acceptance', context()))).code,
    ).toBe('forbidden');
  });

  it('fills the approval notice from the decided lines: one line per beneficiary, payee and masked account', async () => {
    await inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
      prepareDecision(tx, CASEWORKER, {
        districtCode: '310110',
        caseId: granted.caseId,
        month: '2026-12',
        lines: [
          { program: 'dibao', outcome: 'granted' },
          { program: 'kunjing_child', outcome: 'granted' },
        ],
        payees: [
          {
            beneficiaryId: granted.householdId,
            payeePersonId: granted.adult.id,
            bankName: '上海农商银行',
            accountNo: '6222000000000001',
          },
          {
            beneficiaryId: granted.child.id,
            payeePersonId: granted.adult.id,
            bankName: '上海农商银行',
            accountNo: '6222000000000003',
          },
        ],
      }),
    );
    await inUnitOfWork(ctx.store, approverActor, (tx) => grantDecision(tx, APPROVER, granted));
    await setCase(granted, `state = 'approved', decided_at = '2026-12-01T02:00:00Z'`);
    const notice = await caseNoticeData(ctx.store.db, APPROVER, keyOf(granted), 'approval', context());
    if (notice.kind !== 'approval') throw new Error(notice.kind);
    expect(notice.data.authority).toBe('district');
    expect(notice.data.decidedOn).toBe('2026-12-01');
    expect(notice.data.lines.map((l) => [l.programName, l.beneficiaryName, l.schedule, l.payee])).toEqual([
      [
        '最低生活保障',
        undefined,
        'monthly',
        { name: granted.adult.name, bankName: '上海农商银行', accountNo: '6222********0001' },
      ],
      [
        '困境儿童基本生活费',
        granted.child.name,
        'monthly',
        { name: granted.adult.name, bankName: '上海农商银行', accountNo: '6222********0003' },
      ],
    ]);
    for (const line of notice.data.lines) expect(line.amountFen).toBeGreaterThan(0);
    const text = inspectPdf(await renderPdf(caseNoticeDocument(notice)))
      .pages.join('')
      .replace(/\s+/g, '');
    expect(text).toContain('社会救助审批通知书');
    expect(text).toContain(granted.caseNo);
    expect(text).toContain('6222********0001');
    // Granted everything: no denial notice.
    expect(
      (await refusal(caseNoticeData(ctx.store.db, APPROVER, keyOf(granted), 'denial', context()))).code,
    ).toBe('not_issued');
  });

  it('fills the denial notice with each program’s reasons', async () => {
    await inUnitOfWork(ctx.store, approverActor, (tx) =>
      denyDecision(tx, APPROVER, {
        districtCode: '310110',
        caseId: denied.caseId,
        reasons: ['家庭收入超过标准'],
      }),
    );
    await setCase(
      denied,
      `state = 'denied', decided_at = '2026-12-01T02:00:00Z', reason = '家庭收入超过标准'`,
    );
    const notice: CaseNotice = await caseNoticeData(
      ctx.store.db,
      CASEWORKER,
      keyOf(denied),
      'denial',
      context(),
    );
    if (notice.kind !== 'denial') throw new Error(notice.kind);
    expect(notice.data.lines).toEqual([
      { programName: '最低生活保障', reasons: ['家庭收入超过标准'] },
      { programName: '困境儿童基本生活费', reasons: ['家庭收入超过标准'] },
    ]);
    expect(JSON.stringify(caseNoticeDocument(notice).blocks)).toContain(
      '60日内向上海市杨浦区人民政府申请行政复议',
    );
  });

  it('fills the non-acceptance notice with the case’s reason', async () => {
    const refused = await seedCase(ctx.store, 'N3', { report: false });
    await setCase(
      refused,
      `state = 'not_accepted', reason = '申请材料不全：缺少户口簿', decided_at = '2026-11-24T02:00:00Z'`,
    );
    const notice = await caseNoticeData(
      ctx.store.db,
      CASEWORKER,
      keyOf(refused),
      'non-acceptance',
      context(),
    );
    if (notice.kind !== 'non-acceptance') throw new Error(notice.kind);
    expect(notice.data.reasons).toEqual(['申请材料不全：缺少户口簿']);
    expect(notice.data.decidedOn).toBe('2026-11-24');
    const e = await refusal(
      caseNoticeData(ctx.store.db, CASEWORKER, keyOf(refused), 'acceptance', context()),
    );
    expect(e.code).toBe('not_issued');
  });

  it('lists the street’s cases in publicity today, full names for the document to mask', async () => {
    const listed = await seedCase(ctx.store, 'N4');
    await setCase(listed, `state = 'publicity', accepted_on = '2026-11-23'`);
    await ctx.store.db.execute(sql`insert into case_publicity
      (district_code, case_id, starts_on, ends_on, days, recorded_by, recorded_at)
      values ('310110', ${listed.caseId}::uuid, '2026-11-28', '2026-12-04', 7, 'u-street', now())`);
    const data = await publicityListData(ctx.store.db, CASEWORKER, {}, TODAY);
    expect(data.divisionCode).toBe('310110012');
    expect(data.rows).toEqual([
      {
        name: listed.adult.name,
        committeeCode: '310110012001',
        householdSize: 3,
        programs: ['最低生活保障', '困境儿童基本生活费'],
        amountFen: null,
        from: '2026-11-28',
        to: '2026-12-04',
      },
    ]);
    expect([data.from, data.to]).toEqual(['2026-11-28', '2026-12-04']);
    const doc = publicityListDocument({ ...data, contact: '021-65430000' });
    expect(JSON.stringify(doc.blocks)).not.toContain(listed.adult.name);
    // After the period: nobody listed.
    expect((await publicityListData(ctx.store.db, CASEWORKER, {}, '2026-12-05')).rows).toEqual([]);
  });

  it('prints a street’s list only for a caller who sees the whole street', async () => {
    expect(
      (await refusal(publicityListData(ctx.store.db, COMMITTEE, { division: '310110012' }, TODAY))).code,
    ).toBe('not_found');
    expect(
      (await refusal(publicityListData(ctx.store.db, CASEWORKER, { division: '310110016' }, TODAY))).code,
    ).toBe('not_found');
    expect(
      (await refusal(publicityListData(ctx.store.db, CASEWORKER, { division: '310110012001' }, TODAY))).code,
    ).toBe('invalid');
    const district = await publicityListData(ctx.store.db, APPROVER, {}, TODAY);
    expect(district.divisionCode).toBe('310110');
    expect(district.rows).toHaveLength(1);
  });
});
