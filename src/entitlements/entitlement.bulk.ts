/**
 * Set-based access to `entitlements` for bulk callers (the going-live import, src/payroll/onboarding): which
 * (program, beneficiary) pairs already have an open entitlement, and new entitlements with their `created`
 * change records by COPY. Nothing here runs a query per row; the caller opens the unit and records the batch.
 */
import { sql } from 'drizzle-orm';
import { selectRows } from '../db/sql.ts';
import type { Db, Session } from '../db/store.ts';
import type { ChangeRow, EntitlementRow } from './entitlement.repository.ts';

/** The pairs among `keys` with an open entitlement (not stopped, no end month) in the district. */
export async function openEntitlementKeys(
  db: Db,
  districtCode: string,
  keys: readonly { program: string; beneficiaryId: string }[],
): Promise<{ program: string; beneficiaryId: string }[]> {
  if (keys.length === 0) return [];
  const json = JSON.stringify(keys.map((k) => [k.program, k.beneficiaryId]));
  return selectRows(
    db,
    sql`with wanted as (
          select x->>0 as program, (x->>1)::uuid as beneficiary_id from jsonb_array_elements(${json}::jsonb) as x)
        select e.program, e.beneficiary_id::text as "beneficiaryId"
        from entitlements e
        join wanted w on w.program = e.program and w.beneficiary_id = e.beneficiary_id
        where e.district_code = ${districtCode} and e.state <> 'stopped' and e.to_month is null`,
  );
}

type CsvValue = string | number | null;

function csvField(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return `"${value.replaceAll('"', '""')}"`;
  return String(value);
}

type CopyColumns<T> = readonly (readonly [column: string, value: (row: T) => CsvValue])[];

async function copyRows<T>(session: Session, table: string, columns: CopyColumns<T>, rows: readonly T[]) {
  if (rows.length === 0) return 0;
  function* chunks(): Generator<string> {
    for (let start = 0; start < rows.length; start += 2000) {
      let chunk = '';
      for (const row of rows.slice(start, start + 2000))
        chunk += `${columns.map(([, value]) => csvField(value(row))).join(',')}\n`;
      yield chunk;
    }
  }
  return session.copyFrom(
    table,
    columns.map(([column]) => column),
    chunks(),
  );
}

const ENTITLEMENT_COPY: CopyColumns<EntitlementRow> = [
  ['district_code', (r) => r.districtCode],
  ['id', (r) => r.id],
  ['program', (r) => r.program],
  ['beneficiary_kind', (r) => r.beneficiaryKind],
  ['beneficiary_id', (r) => r.beneficiaryId],
  ['household_id', (r) => r.householdId],
  ['person_id', (r) => r.personId],
  ['committee_code', (r) => r.committeeCode],
  ['payee_person_id', (r) => r.payeePersonId],
  ['payee_role', (r) => r.payeeRole],
  ['bank_name', (r) => r.bankName],
  ['account_no', (r) => r.accountNo],
  ['schedule', (r) => r.schedule],
  ['amount_fen', (r) => r.amountFen],
  ['from_month', (r) => r.fromMonth],
  ['to_month', (r) => r.toMonth],
  ['state', (r) => r.state],
  ['case_id', (r) => r.caseId],
  ['decision_program', (r) => r.decisionProgram],
  ['rule', (r) => r.rule],
  ['version', (r) => r.version],
  ['created_at', (r) => r.createdAt],
  ['updated_at', (r) => r.updatedAt],
];

const CHANGE_COPY: CopyColumns<ChangeRow> = [
  ['district_code', (r) => r.districtCode],
  ['entitlement_id', (r) => r.entitlementId],
  ['seq', (r) => r.seq],
  ['kind', (r) => r.kind],
  ['before', (r) => (r.before === null ? null : JSON.stringify(r.before))],
  ['after', (r) => JSON.stringify(r.after)],
  ['reason', (r) => r.reason],
  ['case_id', (r) => r.caseId],
  ['decision_program', (r) => r.decisionProgram],
  ['rule', (r) => r.rule],
  ['actor_id', (r) => r.actorId],
  ['effective_month', (r) => r.effectiveMonth],
  ['changed_on', (r) => r.changedOn],
  ['changed_at', (r) => r.changedAt],
];

/**
 * New entitlements and their `created` change records, by COPY (the open-entitlement index refuses a
 * duplicate: the caller checks first with `openEntitlementKeys`, under its lock). Returns the rows loaded.
 */
export async function copyCreatedEntitlements(
  session: Session,
  rows: readonly EntitlementRow[],
  changes: readonly ChangeRow[],
): Promise<{ entitlements: number; changes: number }> {
  if (changes.some((c) => c.kind !== 'created')) throw new Error('copyCreatedEntitlements: created only');
  return {
    entitlements: await copyRows(session, 'entitlements', ENTITLEMENT_COPY, rows),
    changes: await copyRows(session, 'entitlement_changes', CHANGE_COPY, changes),
  };
}
