import type { MenuId } from '../api/types.ts';

/** The menu ids the server sends in user.menus, mapped to the console's routes (order = side-menu order). */
export interface MenuItem {
  id: MenuId;
  title: string;
  path: string;
}

export const MENUS: readonly MenuItem[] = [
  { id: 'dashboard', title: '首页', path: '/dashboard' },
  { id: 'persons', title: '人口信息', path: '/persons' },
  { id: 'households', title: '家庭户', path: '/households' },
  { id: 'transfers', title: '跨区迁移', path: '/transfers' },
  { id: 'import', title: '台账导入', path: '/import' },
  { id: 'calculator', title: '政策计算器', path: '/calculator' },
  { id: 'parameters', title: '政策参数', path: '/parameters' },
  { id: 'calendar', title: '工作日历', path: '/calendar' },
  { id: 'simulate', title: '政策测算', path: '/simulate' },
  { id: 'jobs', title: '任务', path: '/jobs' },
  { id: 'audit', title: '审计日志', path: '/audit' },
  { id: 'users', title: '用户管理', path: '/users' },
  { id: 'backup', title: '系统备份', path: '/backup' },
];

export function menusFor(ids: readonly string[]): MenuItem[] {
  return MENUS.filter((menu) => ids.includes(menu.id));
}
