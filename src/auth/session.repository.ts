import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import { preparedPerDb } from '../db/prepared.ts';
import type { Db } from '../db/store.ts';
import { sessions, users } from './schema.ts';
import { isRole } from './roles.ts';
import type { AuthUser } from './user.ts';

export interface NewSession {
  tokenHash: string;
  userId: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function insertSession(db: Db, session: NewSession): Promise<void> {
  await db.insert(sessions).values(session);
}

export interface ActiveSession {
  tokenHash: string;
  csrfToken: string;
  expiresAt: Date;
  user: AuthUser;
}

const activeSessionQuery = preparedPerDb((db) =>
  db
    .select({
      tokenHash: sessions.tokenHash,
      csrfToken: sessions.csrfToken,
      expiresAt: sessions.expiresAt,
      id: users.id,
      username: users.username,
      displayName: users.displayName,
      role: users.role,
      divisionCode: users.divisionCode,
      mustChangePassword: users.mustChangePassword,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.tokenHash, sql.placeholder('tokenHash')),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`${sql.placeholder('now')}::timestamptz`),
        eq(users.disabled, false),
      ),
    )
    .limit(1)
    .prepare('active_session'),
);

/**
 * The live session for a token hash: not revoked, not expired, its user not disabled. Every API request
 * asks this, so it is a prepared query.
 */
export async function findActiveSession(
  db: Db,
  tokenHash: string,
  now: Date,
): Promise<ActiveSession | undefined> {
  const [row] = await activeSessionQuery(db).execute({ tokenHash, now: now.toISOString() });
  if (!row || !isRole(row.role)) return undefined;
  return {
    tokenHash: row.tokenHash,
    csrfToken: row.csrfToken,
    expiresAt: row.expiresAt,
    user: {
      id: row.id,
      username: row.username,
      displayName: row.displayName,
      role: row.role,
      divisionCode: row.divisionCode,
      mustChangePassword: row.mustChangePassword,
    },
  };
}

export async function revokeSession(db: Db, tokenHash: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.tokenHash, tokenHash), isNull(sessions.revokedAt)))
    .returning({ tokenHash: sessions.tokenHash });
  return rows.length > 0;
}

/** After a password change or reset every other session of the user ends. */
export async function revokeUserSessions(db: Db, userId: string, now: Date, except?: string): Promise<void> {
  const sessionsOfUser = and(eq(sessions.userId, userId), isNull(sessions.revokedAt));
  await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(except ? and(sessionsOfUser, ne(sessions.tokenHash, except)) : sessionsOfUser);
}
