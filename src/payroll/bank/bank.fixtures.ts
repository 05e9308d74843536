import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { ALL, divisionScope } from '../../auth/scope.ts';
import type { Store } from '../../db/store.ts';
import { makeIdNumber } from '../../registry/id-number.ts';
import { createHousehold } from '../../registry/registry.service.ts';
import { inUnitOfWork, type ActingContext } from '../../workflow/unit-of-work.ts';
import { postEntries } from '../ledger/ledger.repository.ts';
import type { BankCaller } from './bank.service.ts';

/**
 * Test fixtures of the bank module: a household of three (the payees) and an approved run of 2026-12 written
 * directly as the computation and the approval leave it — two lines at 上海农商银行, one at 工商银行 (a
 * social security card), one without a bank, one held — with the accruals of its payable lines.
 */

export const DISTRICT = '310110';
export const FINANCE: BankCaller = {
  scope: divisionScope(DISTRICT),
  role: 'finance_officer',
  userId: 'u-fin',
};
export const AUDITOR: BankCaller = { scope: divisionScope(DISTRICT), role: 'auditor', userId: 'u-aud' };
export const financeActor: ActingContext = { userId: 'u-fin', divisionCode: DISTRICT, reason: '银行代发' };
const streetActor: ActingContext = { userId: 'u-street', divisionCode: '310110012', reason: '登记' };

let serial = 0;

export interface SeededPeople {
  householdId: string;
  people: { id: string; name: string }[];
}

export async function seedPeople(store: Store, tag: string): Promise<SeededPeople> {
  const person = (name: string, birthDate: string) => {
    serial += 1;
    return {
      idNumber: makeIdNumber(DISTRICT, birthDate, 300 + serial * 2),
      name,
      sex: 2 as const,
      birthDate,
      hukouDivisionCode: '310110012',
    };
  };
  const created = await inUnitOfWork(store, streetActor, (tx) =>
    createHousehold(tx, ALL, {
      householdNo: `HD-B-${tag}`,
      committeeCode: '310110012001',
      validFrom: '2017-01-01',
      members: [
        { person: person(`李${tag}`, '1960-03-03'), relationCode: '02' },
        { person: person(`周${tag}`, '1962-05-05'), relationCode: '10' },
        { person: person(`吴${tag}`, '1990-07-07'), relationCode: '20' },
      ],
    }),
  );
  const people = created.changes
    .filter((c) => c.entityType === 'person')
    .map((c) => ({ id: c.entityId, name: (c.after as { name: string }).name }));
  return { householdId: created.value.id, people };
}

export interface SeededRun {
  runId: string;
  month: string;
  people: SeededPeople;
  payables: string[];
}

interface LineSeed {
  lineNo: number;
  person: number;
  amountFen: number;
  state: string;
  bank: { code: string; name: string; kind: string; accountNo: string } | null;
}

export const SRCB = { code: 'SRCB', name: '上海农商银行', kind: 'bank' };
export const ICBC = { code: 'ICBC', name: '中国工商银行', kind: 'social_security_card' };

export const LINES: LineSeed[] = [
  {
    lineNo: 1,
    person: 0,
    amountFen: 12_345,
    state: 'pending',
    bank: { ...SRCB, accountNo: '6222000012345678' },
  },
  {
    lineNo: 2,
    person: 1,
    amountFen: 20_000,
    state: 'pending',
    bank: { ...SRCB, accountNo: '6222000087654321' },
  },
  {
    lineNo: 3,
    person: 2,
    amountFen: 30_000,
    state: 'released',
    bank: { ...ICBC, accountNo: '6212260000000001' },
  },
  { lineNo: 4, person: 2, amountFen: 500, state: 'pending', bank: null },
  { lineNo: 5, person: 0, amountFen: 1_000, state: 'held', bank: { ...SRCB, accountNo: '6222000012345678' } },
];

/** An approved (or `state`) run of `month` with LINES and the accruals of its payable lines. */
export async function seedRun(
  store: Store,
  tag: string,
  options: { month?: string; state?: string } = {},
): Promise<SeededRun> {
  const people = await seedPeople(store, tag);
  const runId = randomUUID();
  const month = options.month ?? '2026-12';
  const now = new Date().toISOString();
  await store.db
    .execute(sql`insert into payroll_runs (district_code, id, month, state, prepared_by, prepared_at,
      checked_by, checked_at, approved_by, approved_at, line_count, total_fen, created_at, updated_at)
    values (${DISTRICT}, ${runId}::uuid, ${month}, ${options.state ?? 'approved'}, 'u-fin', ${now}, 'u-fin2', ${now},
      'u-appr', ${now}, 5, 63845, ${now}, ${now})`);
  const payables = LINES.map(() => randomUUID());
  for (const l of LINES) {
    const p = people.people[l.person]!;
    await store.db
      .execute(sql`insert into payroll_lines (district_code, run_id, line_no, payable_kind, payable_id,
        program, household_id, person_id, committee_code, period, kind, amount_fen, basis_kind, state, hold_reason,
        payee_person_id, account_kind, bank_code, bank_name, account_no)
      values (${DISTRICT}, ${runId}::uuid, ${l.lineNo}, 'entitlement', ${payables[l.lineNo - 1]}::uuid,
        'elderly_allowance', ${people.householdId}::uuid, ${p.id}::uuid, '310110012001', ${month}, 'regular',
        ${l.amountFen}, 'entitlement', ${l.state}, ${l.state === 'held' ? '金额与待遇不符' : null},
        ${p.id}::uuid, ${l.bank?.kind ?? null}, ${l.bank?.code ?? null}, ${l.bank?.name ?? null},
        ${l.bank?.accountNo ?? null})`);
  }
  await inUnitOfWork(store, { ...financeActor, reason: '计提' }, async (tx) => {
    await postEntries(
      tx,
      LINES.filter((l) => l.state !== 'held').map((l) => ({
        districtCode: DISTRICT,
        payableKind: 'entitlement' as const,
        payableId: payables[l.lineNo - 1]!,
        period: month,
        kind: 'accrual' as const,
        seq: 1,
        program: 'elderly_allowance',
        debitAccount: 'fund:elderly_allowance:city',
        creditAccount: 'payable:elderly_allowance',
        amountFen: l.amountFen,
        runId,
        lineNo: l.lineNo,
      })),
    );
    tx.record({
      action: 'payroll.transition',
      entityType: 'payroll_run',
      entityId: runId,
      district: DISTRICT,
    });
  });
  return { runId, month, people, payables };
}

/** A return file (CSV) from rows `lineNo,accountNo,amount,S|F,ref,date,reason`, with a right trailer unless given. */
export function returnFile(
  runId: string,
  bankCode: string,
  rows: string[],
  trailer?: string,
  district = DISTRICT,
): Uint8Array {
  let total = 0;
  for (const r of rows) total += Number(r.split(',')[2]);
  const lines = [
    `H,${district},${runId},${bankCode}`,
    ...rows.map((r) => `D,${r}`),
    trailer ?? `T,${rows.length},${total}`,
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}
