import { randomUUID } from 'node:crypto';
import { and, asc, count, eq, gt, isNull, like, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/store.ts';
import { users } from './schema.ts';
import { isRole, type Role } from './roles.ts';
import type { DataScope } from './scope.ts';
import type { AuthUser } from './user.ts';

export interface StoredUser extends AuthUser {
  passwordHash: string;
  disabled: boolean;
  failedAttempts: number;
  lockedUntil: Date | null;
  createdAt: Date;
}

type UserRow = typeof users.$inferSelect;

function toStoredUser(row: UserRow): StoredUser {
  if (!isRole(row.role)) throw new Error(`unknown role in users table: ${row.role}`);
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    role: row.role,
    divisionCode: row.divisionCode,
    mustChangePassword: row.mustChangePassword,
    passwordHash: row.passwordHash,
    disabled: row.disabled,
    failedAttempts: row.failedAttempts,
    lockedUntil: row.lockedUntil,
    createdAt: row.createdAt,
  };
}

export async function findUserByUsername(db: Db, username: string): Promise<StoredUser | undefined> {
  const [row] = await db.select().from(users).where(eq(users.username, username)).limit(1);
  return row && toStoredUser(row);
}

export async function findUserById(db: Db, id: string): Promise<StoredUser | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return row && toStoredUser(row);
}

export async function countUsers(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users);
  return row?.n ?? 0;
}

export interface NewUser {
  username: string;
  displayName: string;
  passwordHash: string;
  role: Role;
  divisionCode: string;
  mustChangePassword: boolean;
}

export async function insertUser(db: Db, user: NewUser): Promise<StoredUser> {
  const [row] = await db
    .insert(users)
    .values({ id: randomUUID(), ...user })
    .returning();
  if (!row) throw new Error('insert users returned no row');
  return toStoredUser(row);
}

export async function findUserByIdForUpdate(db: Db, id: string): Promise<StoredUser | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1).for('update');
  return row && toStoredUser(row);
}

/** 正常 / 已停用 / 已锁定: a disabled account counts as disabled whether or not it is also locked. */
export type UserStatus = 'active' | 'disabled' | 'locked';

export interface UserFilter {
  role?: Role | undefined;
  status?: UserStatus | undefined;
  /** A division inside the scope: users bound to it or below. */
  divisionCode?: string | undefined;
  /** Part of the username or the display name. */
  q?: string | undefined;
}

function statusWhere(status: UserStatus, now: Date): SQL | undefined {
  switch (status) {
    case 'disabled':
      return eq(users.disabled, true);
    case 'locked':
      return and(eq(users.disabled, false), gt(users.lockedUntil, now));
    case 'active':
      return and(eq(users.disabled, false), or(isNull(users.lockedUntil), lte(users.lockedUntil, now)));
  }
}

function userWhere(scope: DataScope, filter: UserFilter, now: Date): SQL | undefined {
  // Division codes are digits only (validated at the edge), so the LIKE pattern needs no escaping; the
  // search text is matched with position() for the same reason.
  return and(
    scope.kind === 'all' ? undefined : like(users.divisionCode, `${scope.code}%`),
    filter.divisionCode ? like(users.divisionCode, `${filter.divisionCode}%`) : undefined,
    filter.role ? eq(users.role, filter.role) : undefined,
    filter.status ? statusWhere(filter.status, now) : undefined,
    filter.q
      ? or(
          sql`position(lower(${filter.q}) in lower(${users.username})) > 0`,
          sql`position(${filter.q} in ${users.displayName}) > 0`,
        )
      : undefined,
  );
}

/** Users whose division lies in the scope and who match the filter, by username. */
export async function listUsers(
  db: Db,
  scope: DataScope,
  filter: UserFilter,
  page: { limit: number; offset: number },
  now: Date,
): Promise<{ items: StoredUser[]; total: number }> {
  const where = userWhere(scope, filter, now);
  const rows = await db
    .select()
    .from(users)
    .where(where)
    .orderBy(asc(users.username))
    .limit(page.limit)
    .offset(page.offset);
  const [total] = await db.select({ n: count() }).from(users).where(where);
  return { items: rows.map(toStoredUser), total: total?.n ?? 0 };
}

export interface UserChanges {
  displayName?: string;
  role?: Role;
  divisionCode?: string;
  disabled?: boolean;
  /** Clears the failed-attempt counter and the lock. */
  unlock?: boolean;
}

export async function updateUser(db: Db, id: string, changes: UserChanges): Promise<StoredUser> {
  const { unlock, ...fields } = changes;
  const [row] = await db
    .update(users)
    .set({ ...fields, ...(unlock ? { failedAttempts: 0, lockedUntil: null } : {}), updatedAt: new Date() })
    .where(eq(users.id, id))
    .returning();
  if (!row) throw new Error('user vanished while being updated');
  return toStoredUser(row);
}

/**
 * Counts one failed attempt atomically and locks the account when the count reaches `maxAttempts`;
 * returns the new state.
 */
export async function recordFailedAttempt(
  db: Db,
  id: string,
  maxAttempts: number,
  lockUntil: Date,
): Promise<{ failedAttempts: number; lockedUntil: Date | null }> {
  const [row] = await db
    .update(users)
    .set({
      failedAttempts: sql`${users.failedAttempts} + 1`,
      lockedUntil: sql`case when ${users.failedAttempts} + 1 >= ${maxAttempts} then ${lockUntil.toISOString()}::timestamptz else ${users.lockedUntil} end`,
      updatedAt: new Date(),
    })
    .where(eq(users.id, id))
    .returning({ failedAttempts: users.failedAttempts, lockedUntil: users.lockedUntil });
  if (!row) throw new Error('user vanished while counting a failed login');
  return row;
}

export async function clearFailedAttempts(db: Db, id: string): Promise<void> {
  await db
    .update(users)
    .set({ failedAttempts: 0, lockedUntil: null, updatedAt: new Date() })
    .where(eq(users.id, id));
}

export async function setPasswordHash(
  db: Db,
  id: string,
  passwordHash: string,
  mustChangePassword: boolean,
): Promise<void> {
  await db
    .update(users)
    .set({ passwordHash, mustChangePassword, failedAttempts: 0, lockedUntil: null, updatedAt: new Date() })
    .where(eq(users.id, id));
}
