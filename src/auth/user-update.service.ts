import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import type { Store } from '../db/store.ts';
import { AppError } from '../http/errors.ts';
import { userPolicy } from './policies/user.policy.ts';
import type { Role } from './roles.ts';
import { revokeUserSessions } from './session.repository.ts';
import type { AuthUser } from './user.ts';
import { checkUserDivision } from './user-division.ts';
import { findUserByIdForUpdate, updateUser, type StoredUser, type UserChanges } from './user.repository.ts';
import { OUT_OF_REACH, presentAdminUser, type AdminUserView } from './user.service.ts';

/** What an administrator may change about an account (停用/启用, 解锁, 角色与区划, 姓名). */
export interface UserUpdateInput {
  displayName?: string | undefined;
  role?: Role | undefined;
  divisionCode?: string | undefined;
  disabled?: boolean | undefined;
  unlock?: boolean | undefined;
  reason: string;
}

type Snapshot = Partial<Record<'displayName' | 'role' | 'divisionCode' | 'disabled' | 'locked', unknown>>;

/** The requested changes that differ from the stored account, as the repository's changes and as before/after. */
function diff(
  target: StoredUser,
  input: UserUpdateInput,
  now: Date,
): { changes: UserChanges; before: Snapshot; after: Snapshot } {
  const changes: UserChanges = {};
  const before: Snapshot = {};
  const after: Snapshot = {};
  const fields = ['displayName', 'role', 'divisionCode', 'disabled'] as const;
  for (const field of fields) {
    const value = input[field];
    if (value === undefined || value === target[field]) continue;
    Object.assign(changes, { [field]: value });
    before[field] = target[field];
    after[field] = value;
  }
  const locked = target.lockedUntil !== null && target.lockedUntil > now;
  if (input.unlock && (locked || target.failedAttempts > 0)) {
    changes.unlock = true;
    before.locked = locked;
    after.locked = false;
  }
  return { changes, before, after };
}

/** An administrator keeps its own standing: it may rename itself, nothing more through this route. */
function checkSelf(actor: AuthUser, target: StoredUser, changes: UserChanges): void {
  if (actor.id !== target.id) return;
  if (changes.disabled || changes.role !== undefined || changes.divisionCode !== undefined) {
    throw new AppError('FORBIDDEN', '不能停用本人账号，也不能更改本人的角色或区划；请由其他管理员操作');
  }
}

/**
 * 修改用户, under a lock on the account's row so that two administrators' changes apply one after the
 * other and each diff is taken against what the other left. The account must be in the administrator's reach as
 * it is (else 404, like an absent one) and as it will be (else 403); the new role must fit the new
 * division. Disabling and any change of role or division end the account's sessions (its permissions or
 * scope change underneath them). Audited as `user.updated` with the changed fields before and after.
 */
export async function updateUserAs(
  store: Store,
  actor: AuthUser,
  userId: string,
  input: UserUpdateInput,
  requestId: string,
): Promise<AdminUserView> {
  const now = new Date();
  const acting = { userId: actor.id, divisionCode: actor.divisionCode, requestId, reason: input.reason };
  return inUnitOfWork(store, acting, async (tx) => {
    const target = await findUserByIdForUpdate(tx.db, userId);
    if (!target || !userPolicy.canManage(actor, target)) throw new AppError('NOT_FOUND', '用户不存在');
    const { changes, before, after } = diff(target, input, now);
    if (Object.keys(changes).length === 0) throw new AppError('VALIDATION', '没有需要修改的内容');
    checkSelf(actor, target, changes);
    const next = {
      role: changes.role ?? target.role,
      divisionCode: changes.divisionCode ?? target.divisionCode,
    };
    if (changes.role !== undefined || changes.divisionCode !== undefined) {
      checkUserDivision(next.role, next.divisionCode);
      if (!userPolicy.canManage(actor, next)) throw new AppError('FORBIDDEN', OUT_OF_REACH);
    }
    const updated = await updateUser(tx.db, target.id, changes);
    if (changes.disabled || changes.role !== undefined || changes.divisionCode !== undefined) {
      await revokeUserSessions(tx.db, target.id, now);
    }
    tx.record({
      action: 'user.updated',
      entityType: 'user',
      entityId: target.id,
      district: updated.divisionCode,
      before,
      after,
    });
    return presentAdminUser(updated, now);
  });
}
