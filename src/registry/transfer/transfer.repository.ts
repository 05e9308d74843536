import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../../auth/scope.ts';
import type { Db } from '../../db/store.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { persons } from '../schema.ts';
import { personTransfers } from './schema.ts';
import type { TransferState } from './transfer.machine.ts';

/** SQL access to `person_transfers`. */

export type TransferRow = typeof personTransfers.$inferSelect;
export type NewTransferRow = typeof personTransfers.$inferInsert;

export async function insertTransfer(tx: WorkTx, row: NewTransferRow): Promise<void> {
  await tx.db.insert(personTransfers).values(row);
}

export async function findTransfer(
  db: Db,
  key: { districtCode: string; id: string },
  forUpdate = false,
): Promise<TransferRow | undefined> {
  const query = db
    .select()
    .from(personTransfers)
    .where(and(eq(personTransfers.districtCode, key.districtCode), eq(personTransfers.id, key.id)));
  const rows = forUpdate ? await query.for('update') : await query;
  return rows[0];
}

/** The person's open transfer, if any (at most one: person_transfers_pending_uq). */
export async function pendingTransferOf(
  db: Db,
  districtCode: string,
  personId: string,
): Promise<TransferRow | undefined> {
  const rows = await db
    .select()
    .from(personTransfers)
    .where(
      and(
        eq(personTransfers.districtCode, districtCode),
        eq(personTransfers.personId, personId),
        eq(personTransfers.state, 'pending'),
      ),
    );
  return rows[0];
}

/**
 * Compare-and-set of state and version (the machine's save), with the fields the step sets in the same
 * statement (acceptance: the household and relation, who decided and when).
 */
export async function saveTransferState(
  tx: WorkTx,
  key: { districtCode: string; id: string },
  expected: { state: TransferState; version: number },
  next: { state: TransferState; version: number },
  fields: Partial<Pick<TransferRow, 'toHouseholdId' | 'toRelationCode' | 'decidedBy' | 'decidedAt'>> = {},
): Promise<boolean> {
  const rows = await tx.db
    .update(personTransfers)
    .set({ ...fields, state: next.state, version: next.version })
    .where(
      and(
        eq(personTransfers.districtCode, key.districtCode),
        eq(personTransfers.id, key.id),
        eq(personTransfers.state, expected.state),
        eq(personTransfers.version, expected.version),
      ),
    )
    .returning({ id: personTransfers.id });
  return rows.length === 1;
}

export interface TransferListRow extends TransferRow {
  personName: string;
  personSex: number;
  personBirthDate: string;
  personIdNumber: string;
}

export interface TransferFilter {
  direction: 'incoming' | 'outgoing';
  state?: TransferState | undefined;
  limit: number;
  offset: number;
}

/**
 * A scope's transfers, newest first. Incoming: those to the scope's district, naming no committee or one
 * in the scope. Outgoing: those whose person lived in the scope when they started. The person's columns
 * come from the sending district's row (co-located with the transfer).
 */
export async function listTransferRows(
  db: Db,
  scope: DataScope,
  filter: TransferFilter,
): Promise<TransferListRow[]> {
  const where: SQL[] = [];
  if (scope.kind === 'division') {
    const district = scope.code.slice(0, 6);
    if (filter.direction === 'incoming') {
      where.push(eq(personTransfers.toDistrictCode, district));
      if (scope.code.length > 6) {
        where.push(
          sql`(${personTransfers.toCommitteeCode} is null or ${personTransfers.toCommitteeCode} like ${`${scope.code}%`})`,
        );
      }
    } else {
      where.push(eq(personTransfers.districtCode, district));
      where.push(sql`${personTransfers.fromCommitteeCode} like ${`${scope.code}%`}`);
    }
  }
  if (filter.state) where.push(eq(personTransfers.state, filter.state));
  return db
    .select({
      districtCode: personTransfers.districtCode,
      id: personTransfers.id,
      personId: personTransfers.personId,
      fromCommitteeCode: personTransfers.fromCommitteeCode,
      fromHouseholdId: personTransfers.fromHouseholdId,
      toDistrictCode: personTransfers.toDistrictCode,
      toCommitteeCode: personTransfers.toCommitteeCode,
      moveDate: personTransfers.moveDate,
      state: personTransfers.state,
      version: personTransfers.version,
      toHouseholdId: personTransfers.toHouseholdId,
      toRelationCode: personTransfers.toRelationCode,
      createdBy: personTransfers.createdBy,
      createdAt: personTransfers.createdAt,
      decidedBy: personTransfers.decidedBy,
      decidedAt: personTransfers.decidedAt,
      personName: persons.name,
      personSex: persons.sex,
      personBirthDate: persons.birthDate,
      personIdNumber: persons.idNumber,
    })
    .from(personTransfers)
    .innerJoin(
      persons,
      and(eq(persons.districtCode, personTransfers.districtCode), eq(persons.id, personTransfers.personId)),
    )
    .where(where.length > 0 ? and(...where) : undefined)
    .orderBy(desc(personTransfers.createdAt), desc(personTransfers.id))
    .limit(filter.limit)
    .offset(filter.offset);
}
