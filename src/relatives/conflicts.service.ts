import { ROLES, type Role } from '../auth/roles.ts';
import type { DataScope } from '../auth/scope.ts';
import { ALL } from '../auth/scope.ts';
import { findUserById } from '../auth/user.repository.ts';
import { shanghaiToday } from '../core/clock.ts';
import type { Session } from '../db/store.ts';
import { maskIdNumber } from '../registry/id-number.ts';
import {
  declaredConflictRows,
  districtsOfPersons,
  registryConflictRows,
  type DeclaredRow,
  type RegistryRow,
  type StaffSide,
} from './conflicts.repository.ts';
import { divisionName } from './present.ts';
import {
  declaredRelationName,
  RELATION_KINDS,
  RELATIVE_KIND_NAMES,
  relationBetween,
  type RelativeKind,
} from './relation-kinds.ts';

/**
 * 近亲属冲突: which staff members are close relatives of a case's applicants. A conflict is found two ways —
 * a declaration in force names the applicant (by the person matched or the ID number declared), or the
 * registry shows the staff member's own record and the applicant in one household, now or in the
 * membership history, with a close relation between their relations to the head (relation-kinds.ts).
 * The staff member's own record among the applicants is a conflict too (本人). Staff of the case's district
 * and of the city are checked: only they can act on the case.
 */

export interface ConflictStaff {
  staffId: string;
  kind: 'user' | 'committee';
  userId: string | null;
  name: string;
  divisionCode: string;
  divisionName: string;
  /** The user's role (null for a committee member without an account). */
  role: Role | null;
  roleName: string;
  /** 居委会成员的职务. */
  committeeRole: string | null;
}

export interface RelativeConflict {
  staff: ConflictStaff;
  member: { personId: string; name: string; idNumberMasked: string };
  /** What the applicant is to the staff member. */
  relation: { kind: RelativeKind; name: string; code: string | null };
  foundBy: 'declared' | 'registry';
  /** 本人备案 / 户籍登记（现同户） / 户籍登记（曾同户）. */
  foundByName: string;
  declarationId: string | null;
  householdId: string | null;
  /** Declared conflicts and registry ones where both are in the household today. */
  current: boolean;
}

export interface ConflictQuery {
  districtCode: string;
  personIds: readonly string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function validIds(ids: readonly string[]): string[] {
  return [...new Set(ids.filter((id) => UUID.test(id)))];
}

/** The conflicts of the applicants `personIds` (registry persons of `districtCode`, inside `scope`). */
export async function relativeConflicts(
  tx: Session,
  scope: DataScope,
  query: ConflictQuery,
): Promise<RelativeConflict[]> {
  return conflictsFor(tx, scope, query, undefined);
}

/**
 * Whether the user is a close relative (or is one) of any of these persons: "this user may not act on
 * this case". Reads the persons' districts from the membership index, so the caller need not know them.
 */
export async function isRelatedStaff(
  tx: Session,
  userId: string,
  personIds: readonly string[],
): Promise<boolean> {
  const ids = validIds(personIds);
  if (ids.length === 0 || !UUID.test(userId)) return false;
  for (const districtCode of await districtsOfPersons(tx.db, ids)) {
    const found = await conflictsFor(tx, ALL, { districtCode, personIds: ids }, userId);
    if (found.length > 0) return true;
  }
  return false;
}

async function conflictsFor(
  tx: Session,
  scope: DataScope,
  query: ConflictQuery,
  userId: string | undefined,
): Promise<RelativeConflict[]> {
  const personIds = validIds(query.personIds);
  if (personIds.length === 0) return [];
  const input = { districtCode: query.districtCode, personIds, ...(userId ? { userId } : {}) };
  const declared = await declaredConflictRows(tx.db, scope, { ...input, today: shanghaiToday() });
  const registry = await registryConflictRows(tx.db, scope, input);
  const found = [...declared.map(fromDeclaration), ...fromRegistry(registry)];
  // One conflict per staff member, applicant and way found: a declaration is named once even when it
  // matched by both the person and the ID number.
  const seen = new Set<string>();
  const unique = found.filter((c) => {
    const key = `${c.row.staffId}/${c.row.personId}/${c.foundBy}/${c.declarationId ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const staff = await staffViews(
    tx,
    unique.map((c) => c.row),
  );
  return unique.map((c) => ({
    staff: staff.get(c.row.staffId)!,
    member: {
      personId: c.row.personId,
      name: c.row.memberName,
      idNumberMasked: maskIdNumber(c.row.memberIdNumber),
    },
    relation: c.relation,
    foundBy: c.foundBy,
    foundByName:
      c.foundBy === 'declared' ? '本人备案' : c.current ? '户籍登记（现同户）' : '户籍登记（曾同户）',
    declarationId: c.declarationId,
    householdId: c.householdId,
    current: c.current,
  }));
}

interface Found {
  row: StaffSide & { personId: string; memberName: string; memberIdNumber: string };
  relation: RelativeConflict['relation'];
  foundBy: 'declared' | 'registry';
  declarationId: string | null;
  householdId: string | null;
  current: boolean;
}

function fromDeclaration(row: DeclaredRow): Found {
  const kind = RELATION_KINDS[row.relationCode]?.kind ?? 'spouse';
  return {
    row,
    relation: { kind, name: declaredRelationName(row.relationCode), code: row.relationCode },
    foundBy: 'declared',
    declarationId: row.declarationId,
    householdId: null,
    current: true,
  };
}

/** Registry pairs with a close relation, the current household first, one per staff member and applicant. */
function fromRegistry(rows: readonly RegistryRow[]): Found[] {
  const best = new Map<string, Found>();
  for (const row of rows) {
    const kind: RelativeKind | undefined =
      row.householdId === null ? 'self' : relationBetween(row.staffRelation ?? '', row.memberRelation ?? '');
    if (kind === undefined) continue;
    const key = `${row.staffId}/${row.personId}`;
    const prior = best.get(key);
    if (prior && rank(prior) >= (kind === 'self' ? 2 : row.current ? 1 : 0)) continue;
    best.set(key, {
      row,
      relation: { kind, name: RELATIVE_KIND_NAMES[kind], code: null },
      foundBy: 'registry',
      declarationId: null,
      householdId: row.householdId,
      current: row.current,
    });
  }
  return [...best.values()];
}

/** Which of two registry findings of one pair to keep: 本人 first, then a household they share today. */
function rank(found: Found): number {
  if (found.relation.kind === 'self') return 2;
  return found.current ? 1 : 0;
}

async function staffViews(tx: Session, rows: readonly StaffSide[]): Promise<Map<string, ConflictStaff>> {
  const views = new Map<string, ConflictStaff>();
  for (const row of rows) {
    if (views.has(row.staffId)) continue;
    const user = row.userId === null ? undefined : await findUserById(tx.db, row.userId);
    const divisionCode = user?.divisionCode ?? row.divisionCode;
    views.set(row.staffId, {
      staffId: row.staffId,
      kind: row.kind,
      userId: row.userId,
      name: user?.displayName ?? row.staffName,
      divisionCode,
      divisionName: divisionName(divisionCode),
      role: user?.role ?? null,
      roleName: user ? ROLES[user.role] : `居委会成员（${row.committeeRole ?? ''}）`,
      committeeRole: row.committeeRole,
    });
  }
  return views;
}
