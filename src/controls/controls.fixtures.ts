import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { divisionScope } from '../auth/scope.ts';
import type { Store } from '../db/store.ts';
import { selectRows } from '../db/sql.ts';
import { makeIdNumber } from '../registry/id-number.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import type { FindingsCaller } from './controls.service.ts';
import { checkRun } from './controls.service.ts';

/**
 * Test fixtures of the controls module: registry persons and households, entitlements, a run and its lines,
 * written directly as the other modules leave them (the rules read those tables; the fixtures are the
 * shortest way to make each rule fire or not). District 310110, committee 310110012001.
 */

export const D = '310110';
export const COMMITTEE = '310110012001';
export const MONTH = '2026-12';

export const FINANCE: FindingsCaller = {
  scope: divisionScope(D),
  role: 'finance_officer',
  userId: 'u-finance',
};
export const FINANCE2: FindingsCaller = {
  scope: divisionScope(D),
  role: 'finance_officer',
  userId: 'u-finance2',
};
export const APPROVER: FindingsCaller = {
  scope: divisionScope(D),
  role: 'district_approver',
  userId: 'u-approver',
};
export const AUDITOR: FindingsCaller = { scope: divisionScope(D), role: 'auditor', userId: 'u-auditor' };
export const OTHER_DISTRICT: FindingsCaller = {
  scope: divisionScope('310107'),
  role: 'finance_officer',
  userId: 'u-putuo',
};

export const systemActor: ActingContext = { userId: null, divisionCode: D, reason: '发放批次计算：内控检查' };
export const actorOf = (c: FindingsCaller, reason = '处理内控发现'): ActingContext => ({
  userId: c.userId,
  divisionCode: c.scope.kind === 'all' ? '310000' : c.scope.code,
  reason,
});

let serial = 0;

export interface NewPerson {
  name: string;
  birthDate?: string;
  deathDate?: string | null;
  district?: string;
  /** Reuse an ID number (the same person registered in another district). */
  idNumber?: string;
  relation?: string;
}

export interface SeededPerson {
  id: string;
  idNumber: string;
  name: string;
  district: string;
}

/** A household with its members (the first is the head), current since 2017. */
export async function seedHousehold(
  store: Store,
  members: NewPerson[],
  options: { district?: string; monetaryAssetsFen?: number } = {},
): Promise<{ householdId: string; district: string; persons: SeededPerson[] }> {
  const district = options.district ?? D;
  const householdId = randomUUID();
  serial += 1;
  await store.db
    .execute(sql`insert into households (district_code, id, household_no, street_code, committee_code,
      monetary_assets_fen)
    values (${district}, ${householdId}::uuid, ${`HD-C-${serial}-${householdId.slice(0, 6)}`},
      ${`${district}012`}, ${`${district}012001`}, ${options.monetaryAssetsFen ?? 0})`);
  const persons: SeededPerson[] = [];
  for (const [i, m] of members.entries()) {
    serial += 1;
    const id = randomUUID();
    const birth = m.birthDate ?? '1960-01-01';
    const idNumber = m.idNumber ?? makeIdNumber(district, birth, 100 + ((serial * 2) % 800));
    await store.db.execute(sql`insert into persons (district_code, id, id_number, name, name_initials, sex,
        birth_date, death_date, hukou_division_code, residence_division_code)
      values (${district}, ${id}::uuid, ${idNumber}, ${m.name}, 'x', 1, ${birth}, ${m.deathDate ?? null},
        ${`${district}012`}, ${`${district}012001`})`);
    await store.db.execute(sql`insert into household_members (district_code, household_id, person_id,
        relation_code, valid_from)
      values (${district}, ${householdId}::uuid, ${id}::uuid, ${m.relation ?? (i === 0 ? '02' : '20')}, '2017-01-01')`);
    persons.push({ id, idNumber, name: m.name, district });
  }
  return { householdId, district, persons };
}

/** A run of the district for the month, in state `computing`, prepared by u-finance. */
export async function seedRun(
  store: Store,
  options: { district?: string; month?: string; state?: string; preparedBy?: string } = {},
): Promise<{ runId: string; district: string; month: string }> {
  const runId = randomUUID();
  const district = options.district ?? D;
  const month = options.month ?? MONTH;
  const now = new Date().toISOString();
  await store.db
    .execute(sql`insert into payroll_runs (district_code, id, month, state, prepared_by, prepared_at,
      created_at, updated_at)
    values (${district}, ${runId}::uuid, ${month}, ${options.state ?? 'computing'},
      ${options.preparedBy ?? 'u-finance'}, ${now}, ${now}, ${now})`);
  return { runId, district, month };
}

export interface NewEntitlement {
  program?: string;
  householdId: string;
  personId?: string | null;
  payeePersonId: string;
  amountFen?: number;
  caseId?: string | null;
  rule?: string | null;
  district?: string;
  accountNo?: string | null;
}

/** An active entitlement (basis: the case's decision line, or the rule; `rule: 'x'` without a case). */
export async function seedEntitlement(store: Store, e: NewEntitlement): Promise<string> {
  const id = randomUUID();
  const now = new Date().toISOString();
  const program = e.program ?? 'dibao';
  const person = e.personId ?? null;
  const caseId = e.caseId ?? null;
  const account = e.accountNo ?? null;
  await store.db
    .execute(sql`insert into entitlements (district_code, id, program, beneficiary_kind, beneficiary_id,
      household_id, person_id, committee_code, payee_person_id, payee_role, bank_name, account_no, schedule,
      amount_fen, from_month, state, case_id, decision_program, rule, created_at, updated_at)
    values (${e.district ?? D}, ${id}::uuid, ${program}, ${person ? 'person' : 'household'},
      ${person ?? e.householdId}::uuid, ${e.householdId}::uuid, ${person}::uuid, ${COMMITTEE},
      ${e.payeePersonId}::uuid, 'beneficiary', ${account ? '上海农商银行' : null}, ${account}, 'monthly',
      ${e.amountFen ?? 100_000}, '2026-01', 'active', ${caseId}::uuid, ${caseId ? program : null},
      ${caseId ? null : (e.rule ?? 'auto_enrolment')}, ${now}, ${now})`);
  return id;
}

export interface NewLine {
  payableId?: string;
  program?: string;
  householdId: string;
  personId?: string | null;
  payeePersonId: string;
  amountFen?: number;
  engineAmountFen?: number | null;
  period?: string;
  kind?: string;
  state?: string;
  accountNo?: string | null;
}

let lineSerial = 0;

/** A pending line of the run (an entitlement's regular month unless told). Returns its number. */
export async function addLine(
  store: Store,
  run: { runId: string; district: string; month: string },
  l: NewLine,
): Promise<number> {
  lineSerial += 1;
  const amount = l.amountFen ?? 100_000;
  const engine = l.engineAmountFen === undefined ? amount : l.engineAmountFen;
  const account = l.accountNo === undefined ? `6222${String(lineSerial).padStart(12, '0')}` : l.accountNo;
  await store.db
    .execute(sql`insert into payroll_lines (district_code, run_id, line_no, payable_kind, payable_id,
      program, household_id, person_id, committee_code, period, kind, amount_fen, entitlement_amount_fen,
      engine_amount_fen, basis_kind, state, payee_person_id, account_kind, bank_name, account_no)
    values (${run.district}, ${run.runId}::uuid, ${lineSerial}, 'entitlement', ${l.payableId ?? randomUUID()}::uuid,
      ${l.program ?? 'dibao'}, ${l.householdId}::uuid, ${l.personId ?? null}::uuid, ${`${run.district}012001`},
      ${l.period ?? run.month}, ${l.kind ?? 'regular'}, ${amount}, ${amount}, ${engine}, 'entitlement',
      ${l.state ?? 'pending'}, ${l.payeePersonId}::uuid, ${account ? 'bank' : null}, ${account ? '上海农商银行' : null},
      ${account})`);
  return lineSerial;
}

/** Runs the check as the payroll job does (system actor), returning its counts. */
export function check(
  store: Store,
  run: { runId: string; district: string; month: string },
): Promise<{ findings: number; blocking: number }> {
  return inUnitOfWork(store, systemActor, (tx) =>
    checkRun(tx, { districtCode: run.district, runId: run.runId, month: run.month }),
  );
}

/** The open findings of a rule for a run: line numbers and descriptions. */
export async function findingsOf(
  store: Store,
  runId: string,
  rule: string,
): Promise<{ lineNo: number | null; description: string; state: string }[]> {
  return selectRows(
    store.db,
    sql`select line_no as "lineNo", description, state from control_findings
      where run_id = ${runId}::uuid and rule = ${rule} order by line_no`,
  );
}

export interface NewCase {
  householdId: string;
  applicantId: string;
  program?: string;
  preparedBy?: string;
  decidedBy?: string;
  /** Flagged for relatives: the first approver (null: flagged, not yet approved by two). */
  firstApprovedBy?: string | null;
  decided?: boolean;
}

/** A decided case with a granted decision line for the program (prepared and decided by whom told). */
export async function seedCase(store: Store, c: NewCase): Promise<{ caseId: string; caseNo: string }> {
  const caseId = randomUUID();
  serial += 1;
  const caseNo = `JZ-${D}-2026-C${serial}`;
  const now = new Date().toISOString();
  const program = c.program ?? 'dibao';
  const decidedBy = c.decidedBy ?? 'u-approver';
  const decided = c.decided !== false;
  const flagged = c.firstApprovedBy !== undefined;
  await store.db
    .execute(sql`insert into cases (district_code, id, case_no, household_id, committee_code, programs,
      channel, applicant_person_id, contact_phone, applied_on, state, received_at, relatives_flagged,
      second_approver_required, first_approved_by, first_approved_at, decided_by, decided_at, created_at, updated_at)
    values (${D}, ${caseId}::uuid, ${caseNo}, ${c.householdId}::uuid, ${COMMITTEE}, ${sql.raw(`array['${program}']`)},
      'counter', ${c.applicantId}::uuid, '13800000000', '2025-11-20', ${decided ? 'approved' : 'deciding'}, ${now},
      ${flagged}, ${flagged}, ${c.firstApprovedBy ?? null}, ${c.firstApprovedBy ? now : null},
      ${decided ? decidedBy : null}, ${decided ? now : null}, ${now}, ${now})`);
  await store.db.execute(sql`insert into case_decisions (district_code, case_id, program, outcome, amount_fen,
      start_month, month, reasons, engine_eligible, engine_amount_fen, explanation, parameters, beneficiaries,
      report_request_id, report_revision, report_no, prepared_by, prepared_at, decided_by, decided_at)
    values (${D}, ${caseId}::uuid, ${program}, 'granted', 100000, '2026-01', '2025-12', '{}'::text[], true, 100000,
      '', '[]'::jsonb, '[]'::jsonb, ${randomUUID()}::uuid, 1, 'R-1', ${c.preparedBy ?? 'u-street'}, ${now},
      ${decided ? decidedBy : null}, ${decided ? now : null})`);
  return { caseId, caseNo };
}

/** A staff link (a user) with a declaration in force naming `relative` (by ID number). */
export async function seedRelative(
  store: Store,
  staff: { name: string; userId: string },
  relative: SeededPerson,
): Promise<void> {
  const staffId = randomUUID();
  const now = new Date().toISOString();
  await store.db
    .execute(sql`insert into staff_links (district_code, id, kind, user_id, division_code, name, id_number,
      linked_by, created_at, updated_at)
    values (${D}, ${staffId}::uuid, 'user', ${staff.userId}::uuid, ${D}, ${staff.name},
      ${makeIdNumber(D, '1980-01-01', 900 + (serial % 90))}, 'u-admin', ${now}, ${now})`);
  await store.db.execute(sql`insert into relative_declarations (district_code, id, staff_id, relation_code,
      relative_name, relative_id_number, declared_on, declared_by, created_at)
    values (${D}, ${randomUUID()}::uuid, ${staffId}::uuid, '20', ${relative.name}, ${relative.idNumber},
      '2025-01-01', 'u-admin', ${now})`);
}

/** A re-verification change row (定期复核) for the household and program. */
export async function seedRecheckChange(
  store: Store,
  c: {
    householdId: string;
    program?: string;
    kind?: string;
    oldValue?: number;
    newValue?: number;
    asOf: string;
    affectsEligibility: boolean;
  },
): Promise<void> {
  await store.db
    .execute(sql`insert into verification_changes (district_code, job_id, request_id, household_id,
      person_id, kind, program, old_value, new_value, source, as_of, affects_eligibility, affects_amount, created_at)
    values (${D}, ${randomUUID()}::uuid, ${randomUUID()}::uuid, ${c.householdId}::uuid, null,
      ${c.kind ?? 'monetary_assets'}, ${c.program ?? 'dibao'}, ${c.oldValue ?? 0}, ${c.newValue ?? 20_000_000},
      'deposits', ${c.asOf}, ${c.affectsEligibility}, false, ${new Date().toISOString()})`);
}
