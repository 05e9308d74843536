import { hasPermission, type Role } from '../auth/roles.ts';
import { userLevelOf } from '../auth/scope.ts';

/**
 * Who may change the working-day calendar: it is national (the State Council's notice) and the same for
 * every district, so only a city-level administrator (系统管理员 of 310000) imports a year. Everyone signed
 * in may read it.
 */
export const calendarPolicy = {
  canManage(user: { role: Role; divisionCode: string }): boolean {
    return hasPermission(user.role, 'calendar.manage') && userLevelOf(user.divisionCode) === 'city';
  },
  refusal: '只有市级系统管理员可以导入或修改工作日历',
};
