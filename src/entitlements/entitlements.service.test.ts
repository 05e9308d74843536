import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { selectRows } from '../db/sql.ts';
import { PROGRAM_CODES, PROGRAMS } from '../policy/index.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import type { WorkflowError } from '../workflow/workflow.errors.ts';
import { ConflictError } from '../workflow/workflow.errors.ts';
import {
  decisionOf,
  denyDecision,
  grantDecision,
  prepareDecision,
  type PayeeInput,
} from './decision.service.ts';
import { determineCase } from './determination.service.ts';
import { actOnEntitlement, getEntitlement, listEntitlements } from './entitlement.service.ts';
import { EntitlementError } from './entitlements.errors.ts';
import {
  APPROVER,
  approverActor,
  CASEWORKER,
  caseworkerActor,
  FINANCE,
  OTHER_STREET,
  addCase,
  seedCase,
  type SeededCase,
} from './entitlements.fixtures.ts';
import { PROGRAM_SCHEDULES } from './schedules.ts';
import { addFact } from '../registry/facts/facts.service.ts';

const MONTH = '2026-12';

function payees(c: SeededCase, child = c.adult.id): PayeeInput[] {
  const account = (n: string) => ({ bankName: '上海农商银行', accountNo: `62220000${n}` });
  return [
    { beneficiaryId: c.householdId, payeePersonId: c.adult.id, ...account('00000001') },
    { beneficiaryId: c.elder.id, payeePersonId: c.elder.id, ...account('00000002') },
    { beneficiaryId: c.child.id, payeePersonId: child, ...account('00000003') },
  ];
}

const GRANT_ALL = [
  { program: 'dibao', outcome: 'granted' },
  { program: 'kunjing_child', outcome: 'granted' },
  { program: 'elderly_allowance', outcome: 'granted' },
  { program: 'grain_oil', outcome: 'granted' },
  { program: 'temporary', outcome: 'granted' },
] as const;

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a refusal');
}

describe('schedules', () => {
  it('pays household programs to the household and person programs to the person, as SPEC.md lists them', () => {
    const household = PROGRAM_CODES.filter((p) => PROGRAMS[p].level === 'household');
    expect(household.sort()).toEqual(['dibao', 'dibao_edge', 'renovation', 'rigid_expense', 'temporary']);
  });

  it('names a schedule (or none, for a status) for every program, with its source', () => {
    for (const code of PROGRAM_CODES) expect(PROGRAM_SCHEDULES[code].source.length).toBeGreaterThan(5);
    expect(PROGRAM_SCHEDULES.elderly_allowance.schedule).toBe('quarterly');
    expect(PROGRAM_SCHEDULES.temporary.schedule).toBe('once');
    expect(PROGRAM_SCHEDULES.renovation.schedule).toBe('once');
    expect(PROGRAM_SCHEDULES.dibao_edge.schedule).toBeNull();
  });
});

describeStores('joint determination, decisions and entitlements', (ctx) => {
  let restore: () => void;
  let main: SeededCase;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    main = await seedCase(ctx.store, 'E1');
  });
  afterAll(() => restore());

  it('runs the engine for every program with explanations and parameters, writing nothing', async () => {
    const d = await determineCase({ db: ctx.store.db }, CASEWORKER.scope, {
      districtCode: '310110',
      caseId: main.caseId,
      month: MONTH,
    });
    expect(d.programs.map((p) => p.program)).toEqual([...PROGRAM_CODES]);
    const by = new Map(d.programs.map((p) => [p.program, p]));
    for (const p of d.programs) expect(p.level).toBe(PROGRAMS[p.program].level);
    const dibao = by.get('dibao')!;
    expect(dibao.eligible).toBe(true);
    expect(dibao.level).toBe('household');
    expect(dibao.members).toBeNull();
    expect(dibao.explanation).not.toBe('');
    expect(dibao.parameters.map((x) => x.parameter)).toContain('dibao.standard');
    const kunjing = by.get('kunjing_child')!;
    expect(kunjing.level).toBe('person');
    expect(kunjing.members?.find((m) => m.personId === main.child.id)?.amountFen).toBeGreaterThan(0);
    expect(by.get('elderly_allowance')!.members?.find((m) => m.personId === main.elder.id)?.amountFen).toBe(
      15_000,
    );
    expect(by.get('tekun')!.eligible).toBe(false);
    expect(d.report.ageDays).toBe(0);
    expect(d.adultAge).toBe(18);
  });

  it('refuses without a report, and with a report older than a program applied for allows', async () => {
    const none = await seedCase(ctx.store, 'E2', { report: false });
    const missing = await thrown(
      determineCase({ db: ctx.store.db }, CASEWORKER.scope, {
        districtCode: '310110',
        caseId: none.caseId,
        month: MONTH,
      }),
    );
    expect(missing).toBeInstanceOf(EntitlementError);
    expect((missing as EntitlementError).code).toBe('report_missing');
    const later = setClock(fixedClock('2027-03-15T10:00:00+08:00'));
    try {
      const stale = await thrown(
        determineCase({ db: ctx.store.db }, CASEWORKER.scope, {
          districtCode: '310110',
          caseId: main.caseId,
          month: MONTH,
        }),
      );
      expect((stale as EntitlementError).code).toBe('report_stale');
      expect((stale as EntitlementError).message).toContain('最低生活保障');
    } finally {
      later();
    }
  });

  it('refuses to grant what the engine denies, and a child paid to itself', async () => {
    const denied = await thrown(
      inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
        prepareDecision(tx, CASEWORKER, {
          districtCode: '310110',
          caseId: main.caseId,
          month: MONTH,
          lines: [...GRANT_ALL, { program: 'tekun', outcome: 'granted' }],
          payees: payees(main),
          temporaryAssistanceMonths: 1,
        }),
      ),
    );
    expect((denied as EntitlementError).code).toBe('engine_denies');
    expect((denied as EntitlementError).message).toContain('特困');
    const child = await thrown(
      inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
        prepareDecision(tx, CASEWORKER, {
          districtCode: '310110',
          caseId: main.caseId,
          month: MONTH,
          lines: GRANT_ALL,
          payees: payees(main, main.child.id),
          temporaryAssistanceMonths: 1,
        }),
      ),
    );
    expect((child as EntitlementError).code).toBe('invalid');
    expect((child as EntitlementError).message).toContain('监护人');
    const rows = await selectRows(
      ctx.store.db,
      sql`select 1 from case_decisions where case_id = ${main.caseId}::uuid`,
    );
    expect(rows).toHaveLength(0);
  });

  it('requires a reason to deny what the engine grants, and a line for every program applied for', async () => {
    const noReason = await thrown(
      inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
        prepareDecision(tx, CASEWORKER, {
          districtCode: '310110',
          caseId: main.caseId,
          month: MONTH,
          lines: [
            { program: 'dibao', outcome: 'denied' },
            { program: 'kunjing_child', outcome: 'granted' },
          ],
          payees: payees(main).slice(2),
        }),
      ),
    );
    expect((noReason as EntitlementError).message).toContain('须填写理由');
    const missing = await thrown(
      inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
        prepareDecision(tx, CASEWORKER, {
          districtCode: '310110',
          caseId: main.caseId,
          month: MONTH,
          lines: [{ program: 'dibao', outcome: 'granted' }],
          payees: payees(main).slice(0, 1),
        }),
      ),
    );
    expect((missing as EntitlementError).message).toContain('困境儿童');
  });

  it('prepares the lines, then the grant creates one entitlement per program and beneficiary', async () => {
    const prepared = await inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
      prepareDecision(tx, CASEWORKER, {
        districtCode: '310110',
        caseId: main.caseId,
        month: MONTH,
        lines: GRANT_ALL,
        payees: payees(main),
        temporaryAssistanceMonths: 1,
      }),
    );
    expect(prepared.decided).toBe(false);
    expect(prepared.lines.map((l) => l.program).sort()).toEqual(GRANT_ALL.map((l) => l.program).sort());
    const dibaoLine = prepared.lines.find((l) => l.program === 'dibao')!;
    expect(dibaoLine.report?.requestId).toBe(main.requestId);
    expect(dibaoLine.explanation).not.toBe('');
    expect(dibaoLine.beneficiaries[0]?.accountNo).toBe('6222********0001');

    const decided = await inUnitOfWork(ctx.store, approverActor, (tx) =>
      grantDecision(tx, APPROVER, { districtCode: '310110', caseId: main.caseId }),
    );
    expect(decided.decided).toBe(true);
    const list = await listEntitlements(ctx.store.db, APPROVER, { householdId: main.householdId });
    const kinds = list.items.map((e) => [
      e.program,
      e.beneficiaryKind,
      e.beneficiaryId,
      e.schedule,
      e.payee.role,
    ]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['dibao', 'household', main.householdId, 'monthly', 'household_member'],
        ['temporary', 'household', main.householdId, 'once', 'household_member'],
        ['kunjing_child', 'person', main.child.id, 'monthly', 'guardian'],
        ['elderly_allowance', 'person', main.elder.id, 'quarterly', 'beneficiary'],
        ['grain_oil', 'person', main.elder.id, 'monthly', 'beneficiary'],
        ['grain_oil', 'person', main.child.id, 'monthly', 'guardian'],
      ]),
    );
    expect(list.total).toBe(list.items.length);
    const kunjing = list.items.find((e) => e.program === 'kunjing_child')!;
    expect(kunjing.payee.personId).toBe(main.adult.id);
    expect(kunjing.basis).toEqual({ kind: 'decision', caseId: main.caseId, program: 'kunjing_child' });
    const temporary = list.items.find((e) => e.program === 'temporary')!;
    expect(temporary.toMonth).toBe(MONTH);
    for (const e of list.items) {
      const detail = await getEntitlement(ctx.store.db, APPROVER, e);
      expect(detail.history.map((h) => h.kind)).toEqual(['created']);
    }
  });

  it('keeps a decided case fixed: no new preparation, no second decision, no update or delete in the table', async () => {
    const again = await thrown(
      inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
        prepareDecision(tx, CASEWORKER, {
          districtCode: '310110',
          caseId: main.caseId,
          month: MONTH,
          lines: GRANT_ALL,
          payees: payees(main),
        }),
      ),
    );
    expect((again as EntitlementError).code).toBe('decided');
    const twice = await thrown(
      inUnitOfWork(ctx.store, approverActor, (tx) =>
        denyDecision(tx, APPROVER, { districtCode: '310110', caseId: main.caseId, reasons: ['不符合'] }),
      ),
    );
    expect((twice as EntitlementError).code).toBe('decided');
    await expect(
      ctx.store.db.execute(
        sql`update case_decisions set amount_fen = 1 where case_id = ${main.caseId}::uuid`,
      ),
    ).rejects.toThrow();
    await expect(
      ctx.store.db.execute(sql`delete from case_decisions where case_id = ${main.caseId}::uuid`),
    ).rejects.toThrow();
  });

  it('has no two open entitlements for one program and beneficiary, and none without a basis', async () => {
    const dup = sql`insert into entitlements (district_code, id, program, beneficiary_kind, beneficiary_id, household_id,
        committee_code, payee_person_id, payee_role, schedule, amount_fen, from_month, state, case_id, decision_program,
        created_at, updated_at)
      values ('310110', gen_random_uuid(), 'dibao', 'household', ${main.householdId}::uuid, ${main.householdId}::uuid,
        '310110012001', ${main.adult.id}::uuid, 'household_member', 'monthly', 100, '2027-01', 'active',
        ${main.caseId}::uuid, 'dibao', now(), now())`;
    await expect(ctx.store.db.execute(dup)).rejects.toThrow();
    const noBasis = sql`insert into entitlements (district_code, id, program, beneficiary_kind, beneficiary_id, household_id,
        committee_code, payee_person_id, payee_role, schedule, amount_fen, from_month, state, created_at, updated_at)
      values ('310110', gen_random_uuid(), 'orphan', 'person', ${main.child.id}::uuid, ${main.householdId}::uuid,
        '310110012001', ${main.adult.id}::uuid, 'guardian', 'monthly', 100, '2027-01', 'active', now(), now())`;
    await expect(ctx.store.db.execute(noBasis)).rejects.toThrow();
  });

  it('suspends, restarts and stops with reasons, each in the history; stale versions and bad months refused', async () => {
    const [dibao] = (
      await listEntitlements(ctx.store.db, CASEWORKER, { program: 'dibao', householdId: main.householdId })
    ).items;
    const key = { districtCode: '310110', id: dibao!.id };
    const act = (action: 'suspend' | 'restart' | 'stop', version: number, fromMonth?: string) =>
      inUnitOfWork(ctx.store, { ...caseworkerActor, reason: `测试：${action}` }, (tx) =>
        actOnEntitlement(tx, CASEWORKER, { ...key, action, version, reason: `测试：${action}`, fromMonth }),
      );
    const suspended = await act('suspend', 1);
    expect(suspended.state).toBe('suspended');
    expect(await thrown(act('restart', 1))).toBeInstanceOf(ConflictError);
    const restarted = await act('restart', 2);
    expect(restarted.state).toBe('active');
    const early = await thrown(act('stop', 3, MONTH));
    expect((early as WorkflowError).code).toBe('check_failed');
    const stopped = await act('stop', 3, '2027-03');
    expect(stopped.state).toBe('stopped');
    expect(stopped.toMonth).toBe('2027-02');
    expect(stopped.allowedActions).toEqual([]);
    expect(stopped.history.map((h) => [h.kind, h.reason])).toEqual([
      ['created', `救助申请 ${main.caseNo} 批准最低生活保障`],
      ['suspended', '测试：suspend'],
      ['restarted', '测试：restart'],
      ['stopped', '测试：stop'],
    ]);
    expect(stopped.history[3]?.basis).toEqual({ kind: 'decision', caseId: main.caseId, program: 'dibao' });
    const events = await selectRows<{ action: string }>(
      ctx.store.db,
      sql`select action from workflow_event where entity_type = 'entitlement' and entity_id = ${dibao!.id} order by version`,
    );
    expect(events.map((e) => e.action)).toEqual(['suspend', 'restart', 'stop']);
  });

  it('masks accounts unless the caller may see them, and keeps to the caller’s scope', async () => {
    const masked = await listEntitlements(ctx.store.db, CASEWORKER, { householdId: main.householdId });
    expect(masked.items.every((e) => e.payee.accountMasked && /\*{4}/.test(e.payee.accountNo ?? ''))).toBe(
      true,
    );
    const full = await listEntitlements(ctx.store.db, FINANCE, { householdId: main.householdId });
    expect(full.items.every((e) => !e.payee.accountMasked && /^6222\d+$/.test(e.payee.accountNo ?? ''))).toBe(
      true,
    );
    expect(masked.items[0]?.person?.idNumberMasked ?? masked.items[0]?.payee.idNumberMasked).toMatch(/\*/);
    const other = await listEntitlements(ctx.store.db, OTHER_STREET, { householdId: main.householdId });
    expect(other.items).toHaveLength(0);
    const hidden = await thrown(getEntitlement(ctx.store.db, OTHER_STREET, masked.items[0]!));
    expect((hidden as EntitlementError).code).toBe('not_found');
    const caseHidden = await thrown(decisionOf(ctx.store.db, OTHER_STREET.scope, main));
    expect((caseHidden as EntitlementError).code).toBe('not_found');
  });

  it('denies a case with the approver’s reasons, creating nothing', async () => {
    const denied = await seedCase(ctx.store, 'E3');
    const view = await inUnitOfWork(ctx.store, approverActor, (tx) =>
      denyDecision(tx, APPROVER, {
        districtCode: '310110',
        caseId: denied.caseId,
        reasons: ['家庭收入超过标准'],
      }),
    );
    expect(view.decided).toBe(true);
    expect(view.lines.map((l) => [l.program, l.outcome, l.reasons])).toEqual([
      ['dibao', 'denied', ['家庭收入超过标准']],
      ['kunjing_child', 'denied', ['家庭收入超过标准']],
    ]);
    const list = await listEntitlements(ctx.store.db, APPROVER, { householdId: denied.householdId });
    expect(list.total).toBe(0);
    const ungranted = await thrown(
      inUnitOfWork(ctx.store, approverActor, (tx) => grantDecision(tx, APPROVER, denied)),
    );
    expect((ungranted as EntitlementError).code).toBe('decided');
  });

  it('serialises two caseworkers preparing one case at once: both succeed, one set of lines remains', async () => {
    const c = await seedCase(ctx.store, 'E5');
    const prepare = (reason: string) =>
      inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
        prepareDecision(tx, CASEWORKER, {
          districtCode: '310110',
          caseId: c.caseId,
          month: MONTH,
          lines: [
            { program: 'dibao', outcome: 'granted' },
            { program: 'kunjing_child', outcome: 'denied', reasons: [reason] },
          ],
          payees: payees(c).slice(0, 1),
        }),
      );
    const results = await Promise.allSettled([prepare('理由一'), prepare('理由二')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    const rows = await selectRows<{ program: string }>(
      ctx.store.db,
      sql`select program from case_decisions where case_id = ${c.caseId}::uuid`,
    );
    expect(rows).toHaveLength(2);
  });

  it('makes a later decision move the open entitlement: amount and payee changed, each in the history', async () => {
    const c = await seedCase(ctx.store, 'E6');
    const decide = async (caseId: string, account: string) => {
      await inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
        prepareDecision(tx, CASEWORKER, {
          districtCode: '310110',
          caseId,
          month: MONTH,
          lines: [
            { program: 'dibao', outcome: 'granted' },
            { program: 'kunjing_child', outcome: 'denied', reasons: ['另案办理'] },
          ],
          payees: [{ ...payees(c)[0]!, accountNo: account }],
        }),
      );
      await inUnitOfWork(ctx.store, approverActor, (tx) =>
        grantDecision(tx, APPROVER, { districtCode: '310110', caseId }),
      );
    };
    await decide(c.caseId, '6222000000009991');
    const before = (await listEntitlements(ctx.store.db, APPROVER, { householdId: c.householdId })).items[0]!;
    await inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
      addFact(
        tx,
        CASEWORKER.scope,
        { subjectType: 'person', districtCode: '310110', subjectId: c.adult.id },
        {
          kind: 'wage',
          amountFen: 150_000,
          validFrom: '2026-12-01',
          // A re-verification's figure: 核对 outranks the declared one (the report's own figures are 核对 too).
          sourceKind: 'verified',
          sourceRef: '复核',
        },
      ),
    );
    const change = await addCase(ctx.store, {
      tag: 'E6B',
      householdId: c.householdId,
      applicantId: c.adult.id,
      requestId: c.requestId,
      programs: ['dibao'],
    });
    await decide(change.caseId, '6222000000009992');
    const after = await listEntitlements(ctx.store.db, APPROVER, { householdId: c.householdId });
    expect(after.total).toBe(1);
    const moved = await getEntitlement(ctx.store.db, APPROVER, after.items[0]!);
    expect(moved.id).toBe(before.id);
    expect(moved.amountFen).toBeLessThan(before.amountFen);
    expect(moved.payee.accountNo).toBe('6222000000009992');
    expect(moved.basis).toEqual({ kind: 'decision', caseId: change.caseId, program: 'dibao' });
    expect(moved.history.map((h) => h.kind)).toEqual(['created', 'amount_changed', 'payee_changed']);
    expect(moved.history[1]?.basis).toEqual({ kind: 'decision', caseId: change.caseId, program: 'dibao' });
  });

  it('refuses a grant when the report has grown too old since the lines were prepared', async () => {
    const c = await seedCase(ctx.store, 'E4');
    await inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
      prepareDecision(tx, CASEWORKER, {
        districtCode: '310110',
        caseId: c.caseId,
        month: MONTH,
        lines: [
          { program: 'dibao', outcome: 'granted' },
          { program: 'kunjing_child', outcome: 'denied', reasons: ['已由民政另行安置'] },
        ],
        payees: payees(c).slice(0, 1),
      }),
    );
    const later = setClock(fixedClock('2027-04-01T10:00:00+08:00'));
    try {
      const stale = await thrown(
        inUnitOfWork(ctx.store, approverActor, (tx) => grantDecision(tx, APPROVER, c)),
      );
      expect((stale as EntitlementError).code).toBe('report_stale');
    } finally {
      later();
    }
    const rows = await selectRows<{ decided: boolean }>(
      ctx.store.db,
      sql`select decided_at is not null as decided from case_decisions where case_id = ${c.caseId}::uuid`,
    );
    expect(rows.every((r) => !r.decided)).toBe(true);
  });
});
