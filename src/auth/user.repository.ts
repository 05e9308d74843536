import { randomUUID } from 'node:crypto';
import { and, asc, count, eq, like, sql } from 'drizzle-orm';
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

/** Users whose division lies in the scope, by username. */
export async function listUsers(
  db: Db,
  scope: DataScope,
  page: { limit: number; offset: number },
): Promise<{ items: StoredUser[]; total: number }> {
  const where = scope.kind === 'all' ? undefined : like(users.divisionCode, `${scope.code}%`);
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
    .where(and(eq(users.id, id)));
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
