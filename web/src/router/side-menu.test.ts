import { describe, expect, it } from 'vitest';
import type { MenuItem } from '../api/types.ts';
import { activeMenuPath, menuSections } from './side-menu.ts';

const menus: MenuItem[] = [
  { id: 'dashboard', title: '首页', path: '/dashboard' },
  { id: 'verification', title: '核对申请', path: '/verification', group: '核对' },
  { id: 'verification-reports', title: '核对报告', path: '/verification/reports', group: '核对' },
  { id: 'calendar', title: '工作日历', path: '/calendar' },
  { id: 'jobs', title: '任务', path: '/jobs' },
];

describe('side menu', () => {
  it("keeps the server's order and puts consecutive entries of a group under one heading", () => {
    expect(menuSections(menus).map((s) => [s.group ?? null, s.items.map((m) => m.id)])).toEqual([
      [null, ['dashboard']],
      ['核对', ['verification', 'verification-reports']],
      [null, ['calendar', 'jobs']],
    ]);
    expect(new Set(menuSections(menus).map((s) => s.key)).size).toBe(3);
    expect(menuSections([])).toEqual([]);
  });

  it('highlights the entry a page belongs to, the most specific one', () => {
    expect(activeMenuPath(menus, '/verification/reports/12')).toBe('/verification/reports');
    expect(activeMenuPath(menus, '/verification/7')).toBe('/verification');
    expect(activeMenuPath(menus, '/jobs')).toBe('/jobs');
    // A path that merely starts with the same letters is not the entry's page.
    expect(activeMenuPath(menus, '/jobsite')).toBe('/jobsite');
  });
});
