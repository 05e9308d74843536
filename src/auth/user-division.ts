import { AppError } from '../http/errors.ts';
import { divisionIndex, type Division } from '../registry/divisions.ts';
import { divisionRuleOf, isRole, roleFitsDivision, scopeOf, SYSTEM_ROLE, type Role } from './roles.ts';
import { CITY_DIVISION_CODE, inScope, userLevelOf, type UserLevel } from './scope.ts';
import type { AuthUser } from './user.ts';

/** The division index's code for Shanghai, which user accounts write as CITY_DIVISION_CODE. */
const INDEX_CITY_CODE = '31';

const indexCode = (code: string) => (code === CITY_DIVISION_CODE ? INDEX_CITY_CODE : code);

/** "杨浦区 控江路街道" for a user's division; 上海市 for the city; the code itself if unknown. */
export function divisionName(code: string): string {
  return divisionIndex().path(indexCode(code))?.fullName ?? code;
}

/**
 * Refuses (400) a role no account may hold — the system role of automatic steps never signs in — and (on
 * the divisionCode field) a division that does not exist or does not fit the role: the rule for every
 * account, whoever creates or changes it (API, CLI, first start).
 */
export function checkUserDivision(role: Role, code: string): void {
  const typed: string = role;
  if (!isRole(typed)) {
    const reason =
      typed === SYSTEM_ROLE ? '系统角色用于自动任务，不能登录，不能用于用户账号' : `角色 ${typed} 不存在`;
    throw new AppError('VALIDATION', reason, { details: [{ field: 'role', value: typed, reason }] });
  }
  const refuse = (reason: string) =>
    new AppError('VALIDATION', reason, { details: [{ field: 'divisionCode', value: code, reason }] });
  if (userLevelOf(code) === undefined || !divisionIndex().get(indexCode(code))) {
    throw refuse(`区划代码 ${code} 不存在`);
  }
  if (!roleFitsDivision(role, code)) throw refuse(divisionRuleOf(role));
}

export interface AssignableDivision {
  code: string;
  name: string;
  level: UserLevel;
  /** Nothing to open below (a committee). */
  leaf: boolean;
}

function assignable(division: Division, code = division.code): AssignableDivision {
  const level = userLevelOf(code) ?? 'committee';
  return { code, name: division.name, level, leaf: level === 'committee' };
}

/**
 * The divisions an administrator may bind accounts to, one level at a time for the console's picker:
 * without a parent, the administrator's own division (the city for a city administrator); with one,
 * its children. A parent outside the administrator's reach reads as absent (404).
 */
export function divisionsInReach(actor: AuthUser, parent?: string): AssignableDivision[] {
  const index = divisionIndex();
  if (parent === undefined) {
    const own = index.get(indexCode(actor.divisionCode));
    return own ? [assignable(own, actor.divisionCode)] : [];
  }
  const scope = scopeOf(actor);
  if (userLevelOf(parent) === undefined || !index.get(indexCode(parent)) || !inScope(scope, parent)) {
    throw new AppError('NOT_FOUND', '区划不存在或不在您的管辖范围内');
  }
  return index.children(indexCode(parent)).map((child) => assignable(child));
}
