import { defineModuleAccess } from '../auth/access.ts';

/**
 * 统计报表: the monthly and annual tables (docs/statistics.md) are read with the platform's `statistics.view`,
 * which every role holds, each in its own division. The module adds its menu entry only.
 */
export const statisticsAccess = defineModuleAccess({
  module: '统计',
  permissions: {},
  menus: [
    { id: 'statistics', title: '统计报表', path: '/statistics', anyOf: ['statistics.view'], order: 15 },
  ],
});
