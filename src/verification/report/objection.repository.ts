import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/store.ts';
import { verificationObjections } from '../schema.ts';
import type { Claim } from './report.types.ts';

/** SQL of 结果复核 objections (verification_objections): one open per request at most (a unique index). */

export type ObjectionState = 'open' | 'upheld' | 'rejected';

export interface ObjectionRow {
  districtCode: string;
  id: string;
  requestId: string;
  revision: number;
  grounds: string;
  claims: Claim[];
  attachmentIds: string[];
  state: ObjectionState;
  version: number;
  filedBy: string | null;
  filedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decision: string | null;
}

type Row = typeof verificationObjections.$inferSelect;

function toObjection(r: Row): ObjectionRow {
  return {
    ...r,
    claims: r.claims as Claim[],
    state: r.state as ObjectionState,
    filedAt: new Date(r.filedAt).toISOString(),
    decidedAt: r.decidedAt === null ? null : new Date(r.decidedAt).toISOString(),
  };
}

export async function insertObjection(db: Db, row: ObjectionRow): Promise<void> {
  await db.insert(verificationObjections).values(row);
}

/** The objection under review of a request, if any. */
export async function openObjection(
  db: Db,
  districtCode: string,
  requestId: string,
): Promise<ObjectionRow | undefined> {
  const rows = await db
    .select()
    .from(verificationObjections)
    .where(
      and(
        eq(verificationObjections.districtCode, districtCode),
        eq(verificationObjections.requestId, requestId),
        eq(verificationObjections.state, 'open'),
      ),
    );
  return rows[0] ? toObjection(rows[0]) : undefined;
}

/** Every objection of a request, newest first. */
export async function objectionsOf(db: Db, districtCode: string, requestId: string): Promise<ObjectionRow[]> {
  const rows = await db
    .select()
    .from(verificationObjections)
    .where(
      and(
        eq(verificationObjections.districtCode, districtCode),
        eq(verificationObjections.requestId, requestId),
      ),
    )
    .orderBy(desc(verificationObjections.filedAt));
  return rows.map(toObjection);
}

export async function findObjection(
  db: Db,
  districtCode: string,
  id: string,
  forUpdate = false,
): Promise<ObjectionRow | undefined> {
  const query = db
    .select()
    .from(verificationObjections)
    .where(and(eq(verificationObjections.districtCode, districtCode), eq(verificationObjections.id, id)));
  const rows = forUpdate ? await query.for('update') : await query;
  return rows[0] ? toObjection(rows[0]) : undefined;
}

/** The decision, compare-and-set on the objection being open at the version read; the row after, or undefined. */
export async function decideObjectionRow(
  db: Db,
  key: { districtCode: string; id: string },
  version: number,
  change: { state: 'upheld' | 'rejected'; decidedBy: string | null; decidedAt: string; decision: string },
): Promise<ObjectionRow | undefined> {
  const rows = await db
    .update(verificationObjections)
    .set({ ...change, version: version + 1 })
    .where(
      and(
        eq(verificationObjections.districtCode, key.districtCode),
        eq(verificationObjections.id, key.id),
        eq(verificationObjections.state, 'open'),
        eq(verificationObjections.version, version),
      ),
    )
    .returning();
  return rows[0] ? toObjection(rows[0]) : undefined;
}
