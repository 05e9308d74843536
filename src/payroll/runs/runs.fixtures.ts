import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { ALL, divisionScope } from '../../auth/scope.ts';
import type { Store } from '../../db/store.ts';
import { makeIdNumber } from '../../registry/id-number.ts';
import { createHousehold } from '../../registry/registry.service.ts';
import { streetActor } from '../../verification/verification.fixtures.ts';
import { inUnitOfWork, type ActingContext } from '../../workflow/unit-of-work.ts';
import { fundAccount, payableAccount } from '../ledger/accounts.ts';
import { postEntries } from '../ledger/ledger.repository.ts';
import type { PayrollCaller } from './runs.service.ts';

/**
 * Test fixtures of payroll runs: the district's finance officers, approver and a stranger of another
 * district; a household of the 控江路街道 committee with a person entitlement and a household one (written
 * directly, as the entitlements module leaves them); lines written directly (as H2a's computation would).
 */

const district = divisionScope('310110');
export const FINANCE: PayrollCaller = { scope: district, role: 'finance_officer', userId: 'u-finance' };
export const FINANCE2: PayrollCaller = { scope: district, role: 'finance_officer', userId: 'u-finance2' };
export const APPROVER: PayrollCaller = { scope: district, role: 'district_approver', userId: 'u-approver' };
export const AUDITOR: PayrollCaller = { scope: district, role: 'auditor', userId: 'u-auditor' };
export const ELSEWHERE: PayrollCaller = {
  scope: divisionScope('310105'),
  role: 'district_approver',
  userId: 'u-approver-105',
};

export function actor(caller: PayrollCaller, reason = '办理发放'): ActingContext {
  return {
    userId: caller.userId,
    divisionCode: caller.scope.kind === 'all' ? null : caller.scope.code,
    reason,
  };
}

let serial = 0;

export interface SeededPayables {
  householdId: string;
  personId: string;
  payeeId: string;
  /** A person entitlement (困境儿童) of `personId`, 100 元 a month from 2026-01. */
  personPayable: string;
  /** A household entitlement (低保) of the household, 1,510 元 a month from 2026-01. */
  householdPayable: string;
}

async function entitlement(
  store: Store,
  e: { program: string; householdId: string; personId: string | null; payeeId: string; amountFen: number },
): Promise<string> {
  const id = randomUUID();
  const now = new Date().toISOString();
  await store.db.execute(sql`insert into entitlements (district_code, id, program, beneficiary_kind,
      beneficiary_id, household_id, person_id, committee_code, payee_person_id, payee_role, bank_name, account_no,
      schedule, amount_fen, from_month, state, rule, created_at, updated_at)
    values ('310110', ${id}::uuid, ${e.program}, ${e.personId ? 'person' : 'household'},
      ${e.personId ?? e.householdId}::uuid, ${e.householdId}::uuid, ${e.personId}::uuid, '310110012001',
      ${e.payeeId}::uuid, 'beneficiary', '上海农商银行', '6222000012345678', 'monthly', ${e.amountFen}, '2026-01',
      'active', 'test', ${now}, ${now})`);
  return id;
}

export async function seedPayables(store: Store, tag: string): Promise<SeededPayables> {
  serial += 1;
  const created = await inUnitOfWork(store, streetActor, (tx) =>
    createHousehold(tx, ALL, {
      householdNo: `HD-P-${tag}`,
      committeeCode: '310110012001',
      validFrom: '2017-01-01',
      members: [
        {
          person: {
            idNumber: makeIdNumber('310110', '1980-03-03', 600 + serial * 2 + 1),
            name: `钱${tag}`,
            sex: 1,
            birthDate: '1980-03-03',
            hukouDivisionCode: '310110012',
          },
          relationCode: '02',
        },
        {
          person: {
            idNumber: makeIdNumber('310110', '2015-05-05', 600 + serial * 2),
            name: `钱小${tag}`,
            sex: 2,
            birthDate: '2015-05-05',
            hukouDivisionCode: '310110012',
          },
          relationCode: '20',
        },
      ],
    }),
  );
  const persons = created.changes.filter((c) => c.entityType === 'person').map((c) => c.entityId);
  const householdId = created.value.id;
  const [payeeId, personId] = [persons[0]!, persons[1]!];
  return {
    householdId,
    personId,
    payeeId,
    personPayable: await entitlement(store, {
      program: 'kunjing_child',
      householdId,
      personId,
      payeeId,
      amountFen: 10_000,
    }),
    householdPayable: await entitlement(store, {
      program: 'dibao',
      householdId,
      personId: null,
      payeeId,
      amountFen: 151_000,
    }),
  };
}

export interface TestLine {
  lineNo: number;
  payableId: string;
  program: string;
  householdId: string;
  personId: string | null;
  payeeId: string;
  period: string;
  amountFen: number;
  state: 'pending' | 'held';
  entitlementAmountFen?: number;
  engineAmountFen?: number | null;
  holdReason?: string;
}

/** The lines of a run, as the computation writes them; a pending line's accrual posted (as it would be). */
export async function writeLines(store: Store, runId: string, lines: readonly TestLine[]): Promise<void> {
  for (const l of lines) {
    await store.db
      .execute(sql`insert into payroll_lines (district_code, run_id, line_no, payable_kind, payable_id,
        program, household_id, person_id, committee_code, period, kind, amount_fen, entitlement_amount_fen,
        engine_amount_fen, basis_kind, state, hold_reason, payee_person_id, bank_name, account_no)
      values ('310110', ${runId}::uuid, ${l.lineNo}, 'entitlement', ${l.payableId}::uuid, ${l.program},
        ${l.householdId}::uuid, ${l.personId}::uuid, '310110012001', ${l.period}, 'regular', ${l.amountFen},
        ${l.entitlementAmountFen ?? l.amountFen}, ${l.engineAmountFen === undefined ? l.amountFen : l.engineAmountFen},
        'entitlement', ${l.state}, ${l.state === 'held' ? (l.holdReason ?? '测算金额与待遇金额不一致') : null},
        ${l.payeeId}::uuid, '上海农商银行', '6222000012345678')`);
  }
  const pending = lines.filter((l) => l.state === 'pending');
  if (pending.length === 0) return;
  await inUnitOfWork(
    store,
    { userId: 'system:job-runner', divisionCode: null, reason: '发放计算' },
    async (tx) => {
      await postEntries(
        tx,
        pending.map((l) => ({
          districtCode: '310110',
          payableKind: 'entitlement' as const,
          payableId: l.payableId,
          period: l.period,
          kind: 'accrual' as const,
          seq: 1,
          program: l.program,
          debitAccount: fundAccount(l.program, 'city'),
          creditAccount: payableAccount(l.program),
          amountFen: l.amountFen,
          runId,
          lineNo: l.lineNo,
        })),
      );
      tx.record({
        action: 'payroll.transition',
        entityType: 'payroll_run',
        entityId: runId,
        district: '310110',
      });
    },
  );
}

/** An open blocking finding of internal control on the run (as H4's checkRun leaves one). */
export async function blockingFinding(store: Store, runId: string, tag: string): Promise<string> {
  const id = randomUUID();
  const now = new Date().toISOString();
  await store.db.execute(sql`insert into control_findings (district_code, id, rule, severity, run_id, month,
      subject_kind, subject_key, description, state, due_on, found_at, checked_at, created_at, updated_at, check_id)
    values ('310110', ${id}::uuid, 'test_rule', 'blocking', ${runId}::uuid, '2026-12', 'line', ${`${runId}:${tag}`},
      '测试用的须处理发现', 'open', '2026-12-31', ${now}, ${now}, ${now}, ${now}, ${randomUUID()}::uuid)`);
  return id;
}
