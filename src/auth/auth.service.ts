import { createHash, randomBytes } from 'node:crypto';
import { inUnitOfWork, recordOnly } from '../workflow/unit-of-work.ts';
import type { Config } from '../config.ts';
import type { Store } from '../db/store.ts';
import { escapeUnsafeText } from '../core/text.ts';
import { AppError } from '../http/errors.ts';
import { maskIdentifiersInText } from '../registry/present.ts';
import { burnVerification, hashPassword, passwordProblem, verifyPassword } from './password.ts';
import type { SessionCache } from './session-cache.ts';
import {
  findActiveSession,
  insertSession,
  revokeSession,
  revokeUserSessions,
  type ActiveSession,
} from './session.repository.ts';
import type { AuthUser } from './user.ts';
import {
  clearFailedAttempts,
  findUserById,
  findUserByUsername,
  recordFailedAttempt,
  setPasswordHash,
  type StoredUser,
} from './user.repository.ts';

export type AuthSettings = Pick<
  Config,
  'MINZHENG_SESSION_HOURS' | 'MINZHENG_LOGIN_MAX_ATTEMPTS' | 'MINZHENG_LOGIN_LOCK_MINUTES'
>;

/** The cookie holds the token; the table holds only this digest of it. */
export const tokenDigest = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface LoginResult {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  user: AuthUser;
}

interface RequestMeta {
  requestId: string;
  now?: Date;
}

const MAX_AUDITED_USERNAME = 64;

/**
 * The username of a failed login as the audit log keeps it: whatever was typed, made storable (NUL,
 * lone surrogates and control characters as visible escapes), with ID-number-like and phone-like runs
 * masked (people type their ID number into the username field), cut to 64 characters — by code points,
 * so that the cut never leaves half a surrogate pair.
 */
export function auditableUsername(typed: unknown): string {
  if (typeof typed !== 'string') return '';
  const safe = maskIdentifiersInText(escapeUnsafeText(typed));
  return Array.from(safe).slice(0, MAX_AUDITED_USERNAME).join('');
}

/**
 * A login refused at the edge (a username or password that is not acceptable text, or a body of the
 * wrong shape): nobody is looked up, the attempt is audited all the same.
 */
export async function recordRefusedLogin(
  store: Store,
  typedUsername: unknown,
  meta: RequestMeta,
): Promise<void> {
  await recordOnly(store, { userId: null, divisionCode: null, requestId: meta.requestId }, '登录失败', {
    action: 'auth.login_failed',
    entityType: 'user',
    entityId: null,
    after: { username: auditableUsername(typedUsername), reason: 'bad_input' },
  });
}

/**
 * 登录. Failures count towards the lock-out and are audited (committed even though the request fails);
 * a locked account is refused before its password is checked.
 */
export async function login(
  store: Store,
  settings: AuthSettings,
  credentials: { username: string; password: string },
  meta: RequestMeta,
): Promise<LoginResult> {
  const now = meta.now ?? new Date();
  const user = await findUserByUsername(store.db, credentials.username);
  if (!user || user.disabled) {
    await burnVerification(credentials.password);
    await recordOnly(store, { userId: null, divisionCode: null, requestId: meta.requestId }, '登录失败', {
      action: 'auth.login_failed',
      entityType: 'user',
      entityId: user?.id ?? null,
      district: user?.divisionCode,
      after: {
        username: auditableUsername(credentials.username),
        reason: user ? 'disabled' : 'unknown_user',
      },
    });
    throw new AppError('AUTH_INVALID');
  }
  const actor = { userId: user.id, divisionCode: user.divisionCode, requestId: meta.requestId };
  if (user.lockedUntil && user.lockedUntil > now) {
    await recordOnly(store, actor, '登录失败', {
      action: 'auth.login_failed',
      entityType: 'user',
      entityId: user.id,
      after: { reason: 'locked', lockedUntil: user.lockedUntil?.toISOString() },
    });
    throw new AppError('AUTH_LOCKED');
  }
  if (!(await verifyPassword(user.passwordHash, credentials.password))) {
    const lockUntil = new Date(now.getTime() + settings.MINZHENG_LOGIN_LOCK_MINUTES * 60_000);
    const state = await inUnitOfWork(store, { ...actor, reason: '登录失败' }, async (tx) => {
      const next = await recordFailedAttempt(tx.db, user.id, settings.MINZHENG_LOGIN_MAX_ATTEMPTS, lockUntil);
      const locked = next.lockedUntil !== null && next.lockedUntil > now;
      tx.record({
        action: locked ? 'auth.locked' : 'auth.login_failed',
        entityType: 'user',
        entityId: user.id,
        after: { reason: 'wrong_password', failedAttempts: next.failedAttempts },
      });
      return { locked };
    });
    throw new AppError(state.locked ? 'AUTH_LOCKED' : 'AUTH_INVALID');
  }
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + settings.MINZHENG_SESSION_HOURS * 3_600_000);
  await inUnitOfWork(store, { ...actor, reason: '登录' }, async (tx) => {
    await clearFailedAttempts(tx.db, user.id);
    await insertSession(tx.db, { tokenHash: tokenDigest(token), userId: user.id, csrfToken, expiresAt });
    tx.record({
      action: 'auth.login',
      entityType: 'user',
      entityId: user.id,
      after: { expiresAt: expiresAt.toISOString() },
    });
  });
  const {
    passwordHash: _hash,
    disabled: _d,
    failedAttempts: _f,
    lockedUntil: _l,
    createdAt: _c,
    ...plain
  } = user;
  return { token, csrfToken, expiresAt, user: plain };
}

/** The session a cookie token names, if it is live (through `cache` when the server keeps one). */
export function authenticate(
  store: Store,
  token: string,
  now = new Date(),
  cache?: SessionCache,
): Promise<ActiveSession | undefined> {
  const tokenHash = tokenDigest(token);
  const load = () => findActiveSession(store.db, tokenHash, now);
  return cache ? cache.lookup(tokenHash, now, load) : load();
}

export async function logout(store: Store, session: ActiveSession, meta: RequestMeta): Promise<void> {
  const now = meta.now ?? new Date();
  const actor = {
    userId: session.user.id,
    divisionCode: session.user.divisionCode,
    requestId: meta.requestId,
  };
  await inUnitOfWork(store, { ...actor, reason: '退出登录' }, async (tx) => {
    await revokeSession(tx.db, session.tokenHash, now);
    tx.record({
      action: 'auth.logout',
      entityType: 'user',
      entityId: session.user.id,
    });
  });
}

/**
 * A wrong current password on 修改密码 counts exactly like a failed login (same counter, same lock-out):
 * whoever holds a stolen session must not get unlimited guesses at the password behind it. At the limit
 * the account locks and every session of it ends.
 */
async function refuseWrongCurrentPassword(
  store: Store,
  settings: AuthSettings,
  user: StoredUser,
  meta: RequestMeta & { now: Date },
): Promise<never> {
  const lockUntil = new Date(meta.now.getTime() + settings.MINZHENG_LOGIN_LOCK_MINUTES * 60_000);
  const actor = { userId: user.id, divisionCode: user.divisionCode, requestId: meta.requestId };
  const locked = await inUnitOfWork(store, { ...actor, reason: '修改密码失败' }, async (tx) => {
    const next = await recordFailedAttempt(tx.db, user.id, settings.MINZHENG_LOGIN_MAX_ATTEMPTS, lockUntil);
    const nowLocked = next.lockedUntil !== null && next.lockedUntil > meta.now;
    if (nowLocked) await revokeUserSessions(tx.db, user.id, meta.now);
    tx.record({
      action: nowLocked ? 'auth.locked' : 'auth.password_change_failed',
      entityType: 'user',
      entityId: user.id,
      after: { reason: 'wrong_current_password', failedAttempts: next.failedAttempts },
    });
    return nowLocked;
  });
  throw locked ? new AppError('AUTH_LOCKED') : new AppError('AUTH_INVALID', '当前密码错误');
}

/** A locked account cannot change its password either; the session asking ends with the refusal. */
async function refuseLocked(
  store: Store,
  user: StoredUser,
  session: ActiveSession,
  meta: RequestMeta & { now: Date },
): Promise<never> {
  const actor = { userId: user.id, divisionCode: user.divisionCode, requestId: meta.requestId };
  await inUnitOfWork(store, { ...actor, reason: '修改密码失败' }, async (tx) => {
    await revokeSession(tx.db, session.tokenHash, meta.now);
    tx.record({
      action: 'auth.password_change_failed',
      entityType: 'user',
      entityId: user.id,
      after: { reason: 'locked', lockedUntil: user.lockedUntil?.toISOString() },
    });
  });
  throw new AppError('AUTH_LOCKED');
}

/** 修改密码: the current password again, a new one that passes the rules; other sessions end. */
export async function changePassword(
  store: Store,
  settings: AuthSettings,
  session: ActiveSession,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
): Promise<void> {
  const now = meta.now ?? new Date();
  const user = await findUserById(store.db, session.user.id);
  if (!user) throw new AppError('AUTH_REQUIRED');
  if (user.lockedUntil && user.lockedUntil > now) await refuseLocked(store, user, session, { ...meta, now });
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await refuseWrongCurrentPassword(store, settings, user, { ...meta, now });
  }
  const problem = passwordProblem(input.newPassword, user.username);
  if (problem)
    throw new AppError('PASSWORD_WEAK', problem, { details: [{ field: 'newPassword', reason: problem }] });
  if (input.newPassword === input.currentPassword) {
    throw new AppError('PASSWORD_WEAK', '新密码不能与当前密码相同');
  }
  const passwordHash = await hashPassword(input.newPassword);
  const actor = { userId: user.id, divisionCode: user.divisionCode, requestId: meta.requestId };
  await inUnitOfWork(store, { ...actor, reason: '修改密码' }, async (tx) => {
    await setPasswordHash(tx.db, user.id, passwordHash, false);
    await revokeUserSessions(tx.db, user.id, now, session.tokenHash);
    tx.record({
      action: 'auth.password_changed',
      entityType: 'user',
      entityId: user.id,
    });
  });
}
