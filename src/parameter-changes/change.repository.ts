import { and, asc, desc, eq, gt, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../auth/scope.ts';
import { users } from '../auth/schema.ts';
import type { Db } from '../db/store.ts';
import type { ParameterStatus } from '../policy/engine/parameter.schema.ts';
import type { MachineSnapshot, MachineStore } from '../workflow/state-machine.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import type { ChangeState } from './change.machine.ts';
import type { ApprovedChange } from './merge.ts';
import { parameterChanges, type ParameterChangeRow } from './schema.ts';

/** The only module code that touches parameter_changes' SQL. */

/** What a reader in `scope` may see: city-wide changes, and district changes within the scope. */
function scoped(scope: DataScope): SQL | undefined {
  if (scope.kind === 'all') return undefined;
  return or(isNull(parameterChanges.districtCode), eq(parameterChanges.districtCode, scope.code.slice(0, 6)));
}

export type NewChange = Omit<ParameterChangeRow, 'decidedBy' | 'decidedAt' | 'decisionReason'>;

export async function insertChange(tx: WorkTx, row: NewChange): Promise<void> {
  await tx.db.insert(parameterChanges).values(row);
}

export async function findChange(
  db: Db,
  scope: DataScope,
  id: string,
): Promise<ParameterChangeRow | undefined> {
  const [row] = await db
    .select()
    .from(parameterChanges)
    .where(and(eq(parameterChanges.id, id), scoped(scope)))
    .limit(1);
  return row;
}

export interface ChangeFilter {
  state?: ChangeState | undefined;
  path?: string | undefined;
  limit: number;
}

export async function listChanges(
  db: Db,
  scope: DataScope,
  filter: ChangeFilter,
): Promise<ParameterChangeRow[]> {
  return db
    .select()
    .from(parameterChanges)
    .where(
      and(
        scoped(scope),
        filter.state ? eq(parameterChanges.state, filter.state) : undefined,
        filter.path ? eq(parameterChanges.parameterPath, filter.path) : undefined,
      ),
    )
    .orderBy(desc(parameterChanges.proposedAt), asc(parameterChanges.id))
    .limit(filter.limit);
}

/** The entity's state for the state machine, and its compare-and-set (with who decided, when, why). */
export function changeStore(
  scope: DataScope,
  decision: { by: string; at: string; reason: string },
): MachineStore<ChangeState> {
  return {
    async load(tx, id): Promise<MachineSnapshot<ChangeState> | null> {
      const row = await findChange(tx.db, scope, id);
      if (!row) return null;
      return {
        id: row.id,
        divisionCode: row.districtCode ?? '310000',
        state: row.state as ChangeState,
        version: row.version,
      };
    },
    async save(tx, id, expected, next): Promise<boolean> {
      const updated = await tx.db
        .update(parameterChanges)
        .set({
          state: next.state,
          version: next.version,
          decidedBy: decision.by,
          decidedAt: decision.at,
          decisionReason: decision.reason,
        })
        .where(
          and(
            eq(parameterChanges.id, id),
            eq(parameterChanges.state, expected.state),
            eq(parameterChanges.version, expected.version),
          ),
        )
        .returning({ id: parameterChanges.id });
      return updated.length === 1;
    },
  };
}

function approvedOf(row: ParameterChangeRow): ApprovedChange {
  return {
    id: row.id,
    path: row.parameterPath,
    districtCode: row.districtCode,
    value: row.value,
    effective: row.effective,
    decidedOn: row.decidedOn,
    documentNo: row.documentNo,
    source: row.source,
    status: row.status as ParameterStatus,
    note: row.note,
    approvedAt: row.decidedAt ?? row.proposedAt,
  };
}

/** Every approved change (all districts), in approval order; those approved at or before `asOf` if given. */
export async function approvedChanges(db: Db, asOf?: string): Promise<ApprovedChange[]> {
  const rows = await db
    .select()
    .from(parameterChanges)
    .where(
      and(
        eq(parameterChanges.state, 'approved'),
        asOf !== undefined ? lte(parameterChanges.decidedAt, asOf) : undefined,
      ),
    )
    .orderBy(asc(parameterChanges.decidedAt), asc(parameterChanges.id));
  return rows.map(approvedOf);
}

/** Changes approved after `sinceIso` that apply to `districtCode` (its own and the city-wide ones). */
export async function approvedChangesAfter(
  db: Db,
  districtCode: string,
  sinceIso: string,
): Promise<ApprovedChange[]> {
  const rows = await db
    .select()
    .from(parameterChanges)
    .where(
      and(
        eq(parameterChanges.state, 'approved'),
        gt(parameterChanges.decidedAt, sinceIso),
        or(
          isNull(parameterChanges.districtCode),
          eq(parameterChanges.districtCode, districtCode.slice(0, 6)),
        ),
      ),
    )
    .orderBy(asc(parameterChanges.decidedAt), asc(parameterChanges.id));
  return rows.map(approvedOf);
}

/**
 * A cheap version of the approved changes: their number and the last approval. Approved changes are final,
 * so the pair changes exactly when a change is approved.
 */
export async function approvedVersion(db: Db): Promise<string> {
  const [row] = await db
    .select({
      n: sql<number>`count(*)::int`,
      last: sql<string | null>`max(${parameterChanges.decidedAt})::text`,
    })
    .from(parameterChanges)
    .where(eq(parameterChanges.state, 'approved'));
  return `${row?.n ?? 0}:${row?.last ?? ''}`;
}

/** Display names of users by id (ids that are not users, e.g. `cli:…`, are left out). */
export async function userLabels(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  const uuids = [...new Set(ids)].filter((id) => /^[0-9a-f-]{36}$/.test(id));
  if (uuids.length === 0) return new Map();
  const rows = await db
    .select({ id: users.id, displayName: users.displayName, username: users.username })
    .from(users)
    .where(
      sql`${users.id} in (${sql.join(
        uuids.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`,
    );
  return new Map(rows.map((r) => [r.id, `${r.displayName}（${r.username}）`]));
}
