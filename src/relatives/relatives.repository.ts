import { and, asc, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { likeEscape } from '../registry/person.repository.ts';
import { relativeDeclarations, staffLinks } from './schema.ts';

/**
 * SQL of staff links and declarations. Reads by another's scope filter on the link's division (a prefix
 * test) and pin the district when the scope lies in one.
 */

export type StaffLinkRow = typeof staffLinks.$inferSelect;
export type DeclarationRow = typeof relativeDeclarations.$inferSelect;

function linkScopeWhere(scope: DataScope): SQL | undefined {
  if (scope.kind === 'all') return undefined;
  return sql`${staffLinks.districtCode} = ${scope.code.slice(0, 6)} and ${staffLinks.divisionCode} like ${`${likeEscape(scope.code)}%`}`;
}

export async function linkOfUser(
  db: Db,
  userId: string,
  forUpdate = false,
): Promise<StaffLinkRow | undefined> {
  const query = db.select().from(staffLinks).where(eq(staffLinks.userId, userId));
  const rows = forUpdate ? await query.for('update') : await query;
  return rows[0];
}

export async function findLink(
  db: Db,
  scope: DataScope,
  districtCode: string,
  id: string,
  forUpdate = false,
): Promise<StaffLinkRow | undefined> {
  const query = db
    .select()
    .from(staffLinks)
    .where(and(eq(staffLinks.districtCode, districtCode), eq(staffLinks.id, id), linkScopeWhere(scope)));
  const rows = forUpdate ? await query.for('update') : await query;
  return rows[0];
}

export async function insertLink(db: Db, row: StaffLinkRow): Promise<void> {
  await db.insert(staffLinks).values(row);
}

/** Compare-and-set on the version: false when the row changed since it was read. */
export async function updateLink(
  db: Db,
  key: { districtCode: string; id: string; version: number },
  changes: Partial<
    Pick<StaffLinkRow, 'idNumber' | 'personId' | 'name' | 'linkedBy' | 'endedOn' | 'updatedAt'>
  >,
): Promise<boolean> {
  const rows = await db
    .update(staffLinks)
    .set({ ...changes, version: key.version + 1 })
    .where(
      and(
        eq(staffLinks.districtCode, key.districtCode),
        eq(staffLinks.id, key.id),
        eq(staffLinks.version, key.version),
      ),
    )
    .returning({ id: staffLinks.id });
  return rows.length === 1;
}

export interface LinkListFilter {
  kind?: 'user' | 'committee' | undefined;
  divisionCode?: string | undefined;
  /** Name contains. */
  name?: string | undefined;
  includeEnded?: boolean | undefined;
  limit: number;
  offset: number;
}

export interface LinkListRow extends StaffLinkRow {
  activeDeclarations: number;
}

export async function listLinks(db: Db, scope: DataScope, filter: LinkListFilter): Promise<LinkListRow[]> {
  const where = and(
    linkScopeWhere(scope),
    filter.kind ? eq(staffLinks.kind, filter.kind) : undefined,
    filter.divisionCode
      ? sql`${staffLinks.divisionCode} like ${`${likeEscape(filter.divisionCode)}%`}`
      : undefined,
    filter.name ? sql`${staffLinks.name} like ${`%${likeEscape(filter.name)}%`}` : undefined,
    filter.includeEnded ? undefined : isNull(staffLinks.endedOn),
  );
  return db
    .select({
      ...tableColumns(),
      activeDeclarations: sql<number>`(select count(*)::int from relative_declarations d
        where d.district_code = staff_links.district_code and d.staff_id = staff_links.id
          and d.ended_on is null)`,
    })
    .from(staffLinks)
    .where(where)
    .orderBy(asc(staffLinks.divisionCode), asc(staffLinks.name), asc(staffLinks.id))
    .limit(filter.limit)
    .offset(filter.offset);
}

function tableColumns() {
  return {
    districtCode: staffLinks.districtCode,
    id: staffLinks.id,
    kind: staffLinks.kind,
    userId: staffLinks.userId,
    divisionCode: staffLinks.divisionCode,
    name: staffLinks.name,
    committeeRole: staffLinks.committeeRole,
    idNumber: staffLinks.idNumber,
    personId: staffLinks.personId,
    linkedBy: staffLinks.linkedBy,
    endedOn: staffLinks.endedOn,
    createdAt: staffLinks.createdAt,
    updatedAt: staffLinks.updatedAt,
    version: staffLinks.version,
  };
}

export async function countLinks(db: Db, scope: DataScope, filter: LinkListFilter): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(staffLinks)
    .where(
      and(
        linkScopeWhere(scope),
        filter.kind ? eq(staffLinks.kind, filter.kind) : undefined,
        filter.divisionCode
          ? sql`${staffLinks.divisionCode} like ${`${likeEscape(filter.divisionCode)}%`}`
          : undefined,
        filter.name ? sql`${staffLinks.name} like ${`%${likeEscape(filter.name)}%`}` : undefined,
        filter.includeEnded ? undefined : isNull(staffLinks.endedOn),
      ),
    );
  return row?.n ?? 0;
}

/** A staff member's declarations, those in force first, then the ended ones, newest first. */
export async function declarationsOf(
  db: Db,
  districtCode: string,
  staffId: string,
): Promise<DeclarationRow[]> {
  return db
    .select()
    .from(relativeDeclarations)
    .where(
      and(eq(relativeDeclarations.districtCode, districtCode), eq(relativeDeclarations.staffId, staffId)),
    )
    .orderBy(
      sql`${relativeDeclarations.endedOn} is not null`,
      desc(relativeDeclarations.declaredOn),
      asc(relativeDeclarations.relativeName),
    );
}

export async function findDeclaration(
  db: Db,
  districtCode: string,
  id: string,
  forUpdate = false,
): Promise<DeclarationRow | undefined> {
  const query = db
    .select()
    .from(relativeDeclarations)
    .where(and(eq(relativeDeclarations.districtCode, districtCode), eq(relativeDeclarations.id, id)));
  const rows = forUpdate ? await query.for('update') : await query;
  return rows[0];
}

export async function insertDeclaration(db: Db, row: DeclarationRow): Promise<void> {
  await db.insert(relativeDeclarations).values(row);
}

/** Ends a declaration in force, compare-and-set on its version; false when it changed or had ended. */
export async function endDeclarationRow(
  db: Db,
  key: { districtCode: string; id: string; version: number },
  end: { endedOn: string; endReason: string; endedBy: string },
): Promise<boolean> {
  const rows = await db
    .update(relativeDeclarations)
    .set({ ...end, version: key.version + 1 })
    .where(
      and(
        eq(relativeDeclarations.districtCode, key.districtCode),
        eq(relativeDeclarations.id, key.id),
        eq(relativeDeclarations.version, key.version),
        isNull(relativeDeclarations.endedOn),
      ),
    )
    .returning({ id: relativeDeclarations.id });
  return rows.length === 1;
}
