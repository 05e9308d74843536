import type { AuditActor } from '../audit/audit.service.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import type { Store } from '../db/store.ts';
import { AppError } from '../http/errors.ts';
import { generatePassword, hashPassword, passwordProblem } from './password.ts';
import { userPolicy } from './policies/user.policy.ts';
import { menusOf, permissionsOf, ROLES, scopeOf, type Menu, type Permission, type Role } from './roles.ts';
import { CITY_DIVISION_CODE, inScope } from './scope.ts';
import { revokeUserSessions } from './session.repository.ts';
import type { AuthUser } from './user.ts';
import { checkUserDivision, divisionName } from './user-division.ts';
import {
  countUsers,
  findUserById,
  findUserByUsername,
  insertUser,
  listUsers,
  setPasswordHash,
  type StoredUser,
  type UserFilter,
} from './user.repository.ts';

/** What the API shows of a user: never the hash, never the lock-out counters' internals. */
export interface UserView {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  roleName: string;
  divisionCode: string;
  divisionName: string;
  mustChangePassword: boolean;
  permissions: Permission[];
  menus: Menu[];
}

export interface AdminUserView extends UserView {
  disabled: boolean;
  locked: boolean;
  createdAt: string;
}

export function presentUser(user: AuthUser): UserView {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    roleName: ROLES[user.role],
    divisionCode: user.divisionCode,
    divisionName: divisionName(user.divisionCode),
    mustChangePassword: user.mustChangePassword,
    permissions: [...permissionsOf(user.role)],
    menus: menusOf(user.role),
  };
}

export function presentAdminUser(user: StoredUser, now: Date): AdminUserView {
  return {
    ...presentUser(user),
    disabled: user.disabled,
    locked: user.lockedUntil !== null && user.lockedUntil > now,
    createdAt: user.createdAt.toISOString(),
  };
}

export interface NewUserInput {
  username: string;
  displayName: string;
  role: Role;
  divisionCode: string;
  /** Omitted: a one-time password is generated and returned once. */
  password?: string | undefined;
}

/**
 * Creates a user and audits it in one transaction. Returns the password to hand over once (generated
 * when not given). The user must change it at first login — the API refuses other work until then —
 * unless `mustChangePassword: false` (the demo accounts, whose printed passwords are meant for showing
 * the system, and test users).
 */
export async function createUser(
  store: Store,
  actor: AuditActor,
  input: NewUserInput,
  reason: string,
  options: { mustChangePassword?: boolean } = {},
): Promise<{ user: StoredUser; password: string }> {
  const mustChangePassword = options.mustChangePassword ?? true;
  checkUserDivision(input.role, input.divisionCode);
  const password = input.password ?? generatePassword();
  const problem = passwordProblem(password, input.username);
  if (problem)
    throw new AppError('PASSWORD_WEAK', problem, { details: [{ field: 'password', reason: problem }] });
  if (await findUserByUsername(store.db, input.username)) {
    throw new AppError('CONFLICT', `用户名 ${input.username} 已存在`, {
      details: [{ field: 'username', value: input.username, reason: '用户名已存在' }],
    });
  }
  const passwordHash = await hashPassword(password);
  const user = await inUnitOfWork(store, { ...actor, reason }, async (tx) => {
    const created = await insertUser(tx.db, {
      username: input.username,
      displayName: input.displayName,
      passwordHash,
      role: input.role,
      divisionCode: input.divisionCode,
      mustChangePassword,
    });
    tx.record({
      action: 'user.created',
      entityType: 'user',
      entityId: created.id,
      district: created.divisionCode,
      after: {
        username: created.username,
        displayName: created.displayName,
        role: created.role,
        divisionCode: created.divisionCode,
        mustChangePassword: created.mustChangePassword,
      },
    });
    return created;
  });
  return { user, password };
}

export const OUT_OF_REACH = '超出本人管辖范围：只能管理本人区划内、权限不超过本人的用户';

/** The admin API: authorise, then create. */
export async function createUserAs(
  store: Store,
  admin: AuthUser,
  input: NewUserInput,
  requestId: string,
): Promise<{ user: AdminUserView; password: string }> {
  checkUserDivision(input.role, input.divisionCode);
  if (!userPolicy.canManage(admin, input)) throw new AppError('FORBIDDEN', OUT_OF_REACH);
  const { user, password } = await createUser(
    store,
    { userId: admin.id, divisionCode: admin.divisionCode, requestId },
    input,
    '管理员创建用户',
  );
  return { user: presentAdminUser(user, new Date()), password };
}

export async function listUsersAs(
  store: Store,
  admin: AuthUser,
  query: UserFilter & { limit: number; offset: number },
): Promise<{ items: AdminUserView[]; total: number }> {
  if (!userPolicy.canList(admin)) throw new AppError('FORBIDDEN');
  const { limit, offset, divisionCode, ...filter } = query;
  const scope = scopeOf(admin);
  if (divisionCode && !inScope(scope, divisionCode)) {
    throw new AppError('NOT_FOUND', '区划不存在或不在您的管辖范围内');
  }
  // The city holds every district: filtering by it is no filter (no district code starts with 310000).
  const within = divisionCode === CITY_DIVISION_CODE ? undefined : divisionCode;
  const now = new Date();
  const { items, total } = await listUsers(
    store.db,
    scope,
    { ...filter, divisionCode: within },
    { limit, offset },
    now,
  );
  return { items: items.map((user) => presentAdminUser(user, now)), total };
}

/** 重置密码: a new one-time password, all the user's sessions end, the lock-out is lifted. */
export async function resetPasswordAs(
  store: Store,
  admin: AuthUser,
  userId: string,
  requestId: string,
): Promise<{ password: string }> {
  const target = await findUserById(store.db, userId);
  // Out of the admin's division reads as absent, like any out-of-scope record.
  if (!target || !userPolicy.canManage(admin, target)) throw new AppError('NOT_FOUND', '用户不存在');
  if (!userPolicy.canResetPassword(admin, target))
    throw new AppError('FORBIDDEN', '请通过"修改密码"修改本人密码');
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  const actor = { userId: admin.id, divisionCode: admin.divisionCode, requestId, reason: '管理员重置密码' };
  await inUnitOfWork(store, actor, async (tx) => {
    await setPasswordHash(tx.db, target.id, passwordHash, true);
    await revokeUserSessions(tx.db, target.id, new Date());
    tx.record({
      action: 'user.password_reset',
      entityType: 'user',
      entityId: target.id,
      district: target.divisionCode,
    });
  });
  return { password };
}

export function hasUsers(store: Store): Promise<boolean> {
  return countUsers(store.db).then((n) => n > 0);
}
