import {
  combineAccess,
  menusFor,
  SYSTEM_ROLE,
  type MenuView,
  type PermissionOf,
  type RoleOf,
  type SystemRole,
} from './access.ts';
import { verificationAccess } from '../verification/verification.access.ts';
import { advisersAccess } from '../advisers/advisers.access.ts';
import { entitlementsAccess } from '../entitlements/entitlements.access.ts';
import { relativesAccess } from '../relatives/relatives.access.ts';
import { casesAccess } from '../cases/cases.access.ts';
import { publicApplicationAccess } from '../cases/public/public.access.ts';
import { platformAccess } from './platform.access.ts';
import { payrollAccess } from '../payroll/payroll.access.ts';
import { parameterChangesAccess } from '../parameter-changes/parameter-changes.access.ts';
import { controlsAccess } from '../controls/controls.access.ts';
import { payeesAccess } from '../payees/payees.access.ts';
import { archivesAccess } from '../archives/archives.access.ts';
import { statisticsAccess } from '../statistics/statistics.access.ts';
import { eventsAccess } from '../events/events.access.ts';
import { tasksAccess } from '../tasks/tasks.access.ts';
import { divisionScope, userLevelOf, type DataScope, type UserLevel } from './scope.ts';

/**
 * The modules whose roles, permissions and menus this installation has (src/auth/access.ts). A module
 * that needs its own declares them in `<module>/<module>.access.ts` with `defineModuleAccess` and adds
 * it here: one line, nothing else in this file changes.
 */
const MODULES = [
  platformAccess,
  verificationAccess,
  entitlementsAccess,
  relativesAccess,
  casesAccess,
  advisersAccess,
  publicApplicationAccess,
  parameterChangesAccess,
  archivesAccess,
  payrollAccess,
  controlsAccess,
  payeesAccess,
  statisticsAccess,
  eventsAccess,
  tasksAccess,
] as const;

const ACCESS = combineAccess(MODULES);

/** Staff roles (who sign in); a user has exactly one. */
export type Role = RoleOf<(typeof MODULES)[number]>;
export type Permission = PermissionOf<(typeof MODULES)[number]>;
export { SYSTEM_ROLE, type SystemRole } from './access.ts';

/** Whoever acts: a staff role, or the system role of automatic steps (which never signs in). */
export type ActorRole = Role | SystemRole;

/** Role → Chinese name, for the roles users hold. */
export const ROLES = Object.fromEntries([...ACCESS.roles].map(([id, role]) => [id, role.name])) as Record<
  Role,
  string
>;
export const roleList = [...ACCESS.roles.keys()] as [Role, ...Role[]];

/** A role a user account may hold (and so sign in with); `system` is not one. */
export function isRole(value: string): value is Role {
  return ACCESS.roles.has(value);
}

export const PERMISSIONS = [...ACCESS.permissions.keys()] as [Permission, ...Permission[]];

/** What a permission allows, in Chinese. */
export function permissionName(permission: Permission): string {
  return ACCESS.permissions.get(permission) ?? permission;
}

export function permissionsOf(role: ActorRole): readonly Permission[] {
  return (ACCESS.rolePermissions.get(role) ?? []) as readonly Permission[];
}

export function hasPermission(role: ActorRole, permission: Permission): boolean {
  return permissionsOf(role).includes(permission);
}

/**
 * The command-line operator: whoever runs ./bin/minzheng on the server already holds the installation's
 * data, so the CLI acts for the city with every permission. Not a role of any account, and not the system
 * actor of automatic steps, whose permissions are checked like a user's.
 */
export const OPERATOR = 'operator' as const;

/** Who a service acts for: a role (a user's or the system's) or the command-line operator. */
export type Acting = ActorRole | typeof OPERATOR;

/** Whether `acting` may do what `permission` allows: the operator may do everything. */
export function mayAct(acting: Acting, permission: Permission): boolean {
  return acting === OPERATOR || hasPermission(acting, permission);
}

/** A side-menu entry as /api/auth/me sends it: the console builds its menu from these alone. */
export type Menu = MenuView;

/** The menus a role sees, in order, derived from its permissions (the contract's "Menus by role"). */
export function menusOf(role: ActorRole): Menu[] {
  return menusFor(ACCESS, role);
}

/** The acting context of an automatic step (a scheduled job): a named actor that is not a person. */
export interface SystemActor {
  readonly userId: `system:${string}`;
  readonly role: SystemRole;
  readonly name: string;
}

function systemActor(id: `system:${string}`): SystemActor {
  const name = ACCESS.systemActors.get(id);
  if (name === undefined) throw new Error(`未声明的系统操作人：${id}`);
  return { userId: id, role: SYSTEM_ROLE, name };
}

/** The job runner, acting for jobs that nobody started (schedules). */
export const JOB_RUNNER: SystemActor = systemActor('system:job-runner');

/** The Chinese name of a system actor id (`系统（自动任务）`), or undefined for any other actor id. */
export function systemActorName(actorId: string): string | undefined {
  return ACCESS.systemActors.get(actorId);
}

/**
 * Role → the division levels a user of that role may be bound to (declared with the role). A 居委会
 * assistant works in one committee, a caseworker in one street; approval, verification and payment are
 * district work; auditors and administrators serve a district or the whole city (the city bureau).
 */
export function levelsOf(role: Role): readonly UserLevel[] {
  return ACCESS.roles.get(role)?.levels ?? [];
}

export function roleFitsDivision(role: Role, divisionCode: string): boolean {
  const level = userLevelOf(divisionCode);
  return level !== undefined && levelsOf(role).includes(level);
}

const LEVEL_RULES: Record<UserLevel, string> = {
  city: '全市（310000）',
  district: '区（6 位区划代码）',
  street: '街道/镇（9 位区划代码）',
  committee: '居委会/村委会（12 位区划代码）',
};

/** The rule in words, for the message that refuses a misfit: "街道经办人须属于街道/镇（9 位区划代码）". */
export function divisionRuleOf(role: Role): string {
  return `${ROLES[role]}须属于${levelsOf(role)
    .map((level) => LEVEL_RULES[level])
    .join('或')}`;
}

/** The people a user may see: their own division and below, the whole city for a city-level user. */
export function scopeOf(user: { role: Role; divisionCode: string }): DataScope {
  return divisionScope(user.divisionCode);
}
