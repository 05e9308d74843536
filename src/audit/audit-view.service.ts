import { addDays } from '../calendar/days.ts';
import { hasPermission, scopeOf } from '../auth/roles.ts';
import { ALL, type DataScope } from '../auth/scope.ts';
import type { AuthUser } from '../auth/user.ts';
import { findUserById, listUsers } from '../auth/user.repository.ts';
import type { Db, Store } from '../db/store.ts';
import { getPerson, searchPersons } from '../registry/registry.service.ts';
import type { AuditAction } from './actions.ts';
import { listAuditRows, type AuditQuery, type AuditRow } from './audit.repository.ts';
import { personIdOf, presentAuditRow, type AuditRowView, type RowNames } from './audit-present.ts';

/** The audit list's filters as a reader types them (names, not ids; Shanghai dates). */
export interface AuditFilters {
  /** Part of an actor's username or display name (or an actor id as stored). */
  actor?: string | undefined;
  /** A person's name (prefix) or ID number (18 characters, or the last 4): that person's rows. */
  person?: string | undefined;
  action?: AuditAction | undefined;
  entityType?: string | undefined;
  entityId?: string | undefined;
  /** YYYY-MM-DD, Shanghai calendar days, both inclusive. */
  from?: string | undefined;
  to?: string | undefined;
}

/** How many actors or persons a name may stand for; a name matching more should be typed in full. */
const NAME_MATCHES = 200;

const ID_NUMBER_QUERY = /^(\d{17}[\dXx]|\d{3}[\dXx])$/;

/** The first instant of a Shanghai calendar day (UTC+8 all year). */
export function shanghaiDayStart(day: string): string {
  return new Date(`${day}T00:00:00+08:00`).toISOString();
}

async function actorIds(db: Db, text: string): Promise<string[]> {
  const { items } = await listUsers(db, ALL, { q: text }, { limit: NAME_MATCHES, offset: 0 }, new Date());
  // An actor id as stored also finds its rows (cli:<user>, or a user id copied from a row).
  return [...items.map((user) => user.id), text];
}

async function personIds(db: Db, scope: DataScope, text: string): Promise<string[]> {
  const query = ID_NUMBER_QUERY.test(text) ? { idNumber: text } : { name: text };
  const page = await searchPersons(db, scope, { ...query, includeDead: true, limit: NAME_MATCHES });
  return page.rows.map((person) => person.id);
}

/** The repository query for a reader: the reader's scope, names resolved to ids, days to instants. */
export async function auditQueryFor(
  db: Db,
  reader: AuthUser,
  filters: AuditFilters,
  page: { limit: number; offset: number },
): Promise<AuditQuery> {
  const scope = scopeOf(reader);
  return {
    scope,
    entityType: filters.entityType,
    entityId: filters.entityId,
    action: filters.action,
    actorIds: filters.actor ? await actorIds(db, filters.actor) : undefined,
    personIds: filters.person ? await personIds(db, scope, filters.person) : undefined,
    from: filters.from ? shanghaiDayStart(filters.from) : undefined,
    to: filters.to ? shanghaiDayStart(addDays(filters.to, 1)) : undefined,
    ...page,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The users and persons a page of rows names, each looked up once (a page holds at most 200 rows). */
export async function namesFor(db: Db, scope: DataScope, rows: readonly AuditRow[]): Promise<RowNames> {
  const users = new Map<string, { displayName: string; username: string }>();
  const userIds = new Set<string>();
  for (const row of rows) {
    if (row.actorId && UUID.test(row.actorId)) userIds.add(row.actorId);
    if (row.entityType === 'user' && row.entityId && UUID.test(row.entityId)) userIds.add(row.entityId);
  }
  for (const id of userIds) {
    const user = await findUserById(db, id);
    if (user) users.set(id, { displayName: user.displayName, username: user.username });
  }
  const persons = new Map<string, { name: string; idNumber: string }>();
  const wanted = new Map<string, string>();
  for (const row of rows) {
    const id = personIdOf(row);
    const snapshot = row.after ?? row.before;
    const named =
      row.entityType === 'person' && typeof snapshot === 'object' && snapshot !== null && 'name' in snapshot;
    if (id && UUID.test(id) && !named) wanted.set(id, row.district);
  }
  for (const [id, districtCode] of wanted) {
    // Out of the reader's scope, or gone: the row keeps its id and shows no name.
    const person = await getPerson(db, scope, { districtCode, id }).catch(() => undefined);
    if (person) persons.set(id, { name: person.name, idNumber: person.idNumber });
  }
  return { users, persons };
}

export function canUnmaskAudit(reader: AuthUser): boolean {
  return hasPermission(reader.role, 'person.unmask');
}

/** 审计日志 as the reader may see it: scoped, filtered, newest first, names resolved, masked. */
export async function listAuditView(
  store: Store,
  reader: AuthUser,
  filters: AuditFilters,
  page: { limit: number; offset: number },
): Promise<{ items: AuditRowView[]; total: number; totalExact: boolean }> {
  const query = await auditQueryFor(store.db, reader, filters, page);
  const result = await listAuditRows(store.db, query);
  const names = await namesFor(store.db, query.scope, result.items);
  const unmask = canUnmaskAudit(reader);
  return { ...result, items: result.items.map((row) => presentAuditRow(row, names, unmask)) };
}
