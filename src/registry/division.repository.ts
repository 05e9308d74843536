import { asc, eq, sql } from 'drizzle-orm';
import type { Db, Session } from '../db/store.ts';
import { selectRows } from '../db/sql.ts';
import type { Division, DivisionLevel } from './divisions.ts';
import { divisions } from './schema.ts';

/** SQL access to the `divisions` reference table. */

export async function countDivisions(db: Db): Promise<number> {
  const rows = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from divisions`);
  return rows[0]?.n ?? 0;
}

function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Replaces the table's content with `rows` in the caller's transaction: one DELETE and one COPY. */
export async function replaceDivisions(session: Session, rows: readonly Division[]): Promise<number> {
  await session.db.delete(divisions);
  const csv = rows.map(
    (d) => `${[d.code, d.name, d.level, d.parentCode, d.districtCode].map(csvField).join(',')}\n`,
  );
  return session.copyFrom('divisions', ['code', 'name', 'level', 'parent_code', 'district_code'], csv);
}

function toDivision(row: typeof divisions.$inferSelect): Division {
  return { ...row, level: row.level as DivisionLevel };
}

export async function findDivision(db: Db, code: string): Promise<Division | undefined> {
  const rows = await db.select().from(divisions).where(eq(divisions.code, code));
  return rows[0] ? toDivision(rows[0]) : undefined;
}

export async function listChildDivisions(db: Db, parentCode: string): Promise<Division[]> {
  const rows = await db
    .select()
    .from(divisions)
    .where(eq(divisions.parentCode, parentCode))
    .orderBy(asc(divisions.code));
  return rows.map(toDivision);
}
