/**
 * SQL of the going-live import: set-based look-ups of a whole file in the registry (one query each, the
 * keys as one JSON parameter), the payees' current accounts and the new ones (src/payees' table, in one
 * statement), and the import's lock. Entitlements go through the entitlements module (entitlement.bulk.ts),
 * opening entries through the ledger (src/payroll/ledger/ledger.repository.ts).
 */
import { sql } from 'drizzle-orm';
import { selectRows } from '../../db/sql.ts';
import type { Db } from '../../db/store.ts';
import type { PayeeAccountRow } from '../../payees/payee.repository.ts';
import { payeeAccounts } from '../../payees/schema.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';

/** Imports of recipients are serialized: two overlapping files must not both pass the duplicate check. */
export async function lockRecipientImports(db: Db, districtCode: string): Promise<void> {
  await db.execute(
    sql`select pg_advisory_xact_lock(hashtext(${`minzheng.payroll.onboarding:${districtCode}`}))`,
  );
}

export interface RegisteredRecipient {
  idNumber: string;
  personId: string;
  name: string;
  birthDate: string;
  deathDate: string | null;
  /** The person's current household (null: none). */
  householdId: string | null;
  householdNo: string | null;
  committeeCode: string | null;
}

/** The persons of the district with these ID numbers, each with their current household. */
export async function personsByIdNumber(
  db: Db,
  districtCode: string,
  idNumbers: readonly string[],
): Promise<RegisteredRecipient[]> {
  if (idNumbers.length === 0) return [];
  return selectRows<RegisteredRecipient>(
    db,
    sql`with wanted as (select distinct jsonb_array_elements_text(${JSON.stringify(idNumbers)}::jsonb) as id_number)
        select p.id_number as "idNumber", p.id::text as "personId", p.name, p.birth_date::text as "birthDate",
               p.death_date::text as "deathDate", h.id::text as "householdId", h.household_no as "householdNo",
               h.committee_code as "committeeCode"
        from persons p
        join wanted w on w.id_number = p.id_number
        left join household_members m
          on m.district_code = p.district_code and m.person_id = p.id and m.valid_to is null
        left join households h on h.district_code = m.district_code and h.id = m.household_id
        where p.district_code = ${districtCode}`,
  );
}

export interface RegisteredHousehold {
  householdNo: string;
  householdId: string;
  committeeCode: string;
}

export async function householdsByNo(
  db: Db,
  districtCode: string,
  householdNos: readonly string[],
): Promise<RegisteredHousehold[]> {
  if (householdNos.length === 0) return [];
  return selectRows<RegisteredHousehold>(
    db,
    sql`with wanted as (select distinct jsonb_array_elements_text(${JSON.stringify(householdNos)}::jsonb) as household_no)
        select h.household_no as "householdNo", h.id::text as "householdId", h.committee_code as "committeeCode"
        from households h
        join wanted w on w.household_no = h.household_no
        where h.district_code = ${districtCode}`,
  );
}

/** The current members of these households: `householdId|personId` pairs. */
export async function currentMemberPairs(
  db: Db,
  districtCode: string,
  householdIds: readonly string[],
): Promise<Set<string>> {
  if (householdIds.length === 0) return new Set();
  const rows = await selectRows<{ householdId: string; personId: string }>(
    db,
    sql`select m.household_id::text as "householdId", m.person_id::text as "personId"
        from household_members m
        where m.district_code = ${districtCode} and m.valid_to is null
          and m.household_id = any(${`{${[...new Set(householdIds)].join(',')}}`}::uuid[])`,
  );
  return new Set(rows.map((r) => `${r.householdId}|${r.personId}`));
}

/** A payee account the import registers (src/payees' table, payee_accounts). */
export interface NewPayeeAccountRow {
  personId: string;
  kind: 'bank' | 'social_security_card';
  bankCode: string;
  bankName: string;
  accountNo: string;
  holderName: string;
}

/** The current payee accounts (src/payees) of these persons, by person. */
export async function currentPayeeAccounts(
  db: Db,
  districtCode: string,
  personIds: readonly string[],
): Promise<Map<string, { kind: string; bankCode: string; bankName: string; accountNo: string }>> {
  if (personIds.length === 0) return new Map();
  const rows = await selectRows<{
    personId: string;
    kind: string;
    bankCode: string;
    bankName: string;
    accountNo: string;
  }>(
    db,
    sql`select a.person_id::text as "personId", a.kind, a.bank_code as "bankCode", a.bank_name as "bankName",
               a.account_no as "accountNo"
        from payee_accounts a
        where a.district_code = ${districtCode} and a.valid_to is null
          and a.person_id = any(${`{${[...new Set(personIds)].join(',')}}`}::uuid[])`,
  );
  return new Map(rows.map(({ personId, ...account }) => [personId, account]));
}

/** Registers payee accounts (src/payees' table) in one multi-row insert per thousand. */
export async function insertPayeeAccounts(tx: WorkTx, rows: readonly PayeeAccountRow[]): Promise<number> {
  for (let start = 0; start < rows.length; start += 1000) {
    await tx.db.insert(payeeAccounts).values(rows.slice(start, start + 1000));
  }
  return rows.length;
}
