import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * 用户与会话. Small tables (thousands of rows at most): no district distribution; on Citus they are
 * reference tables.
 */

/** A member of staff: one role, one division (区 6 / 街道 9 / 居委会 12 digits). */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey(),
    username: text('username').notNull().unique(),
    displayName: text('display_name').notNull(),
    /** argon2id PHC string; never leaves the auth repositories. */
    passwordHash: text('password_hash').notNull(),
    role: text('role').notNull(),
    divisionCode: text('division_code').notNull(),
    mustChangePassword: boolean('must_change_password').notNull().default(true),
    disabled: boolean('disabled').notNull().default(false),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    check(
      'users_role_chk',
      sql`${t.role} in ('committee_assistant','street_caseworker','district_approver','verification_officer','finance_officer','auditor','admin','assistance_adviser','policy_officer')`,
    ),
    check('users_division_chk', sql`${t.divisionCode} ~ '^([0-9]{6}|[0-9]{9}|[0-9]{12})$'`),
  ],
);

/**
 * A login session. The cookie carries a random token; only its SHA-256 is stored, so a copy of the table
 * cannot be replayed. Revoked sessions stay (revoked_at set) until they expire, for the audit trail.
 */
export const sessions = pgTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    // No foreign key: drizzle-kit would qualify it with the public schema, which breaks per-schema
    // deployments; sessions are deleted with their user by the repository.
    userId: uuid('user_id').notNull(),
    csrfToken: text('csrf_token').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);
