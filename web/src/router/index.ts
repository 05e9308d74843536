import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { hasMenu, homePath, loadSession } from '../api/session.ts';
import type { MenuId } from '../api/types.ts';

declare module 'vue-router' {
  interface RouteMeta {
    title?: string;
    /**
     * The menu that grants this page; pages without one need only a session. The side menu itself (titles,
     * paths, order, who sees what) comes from the server (`menus` in /api/auth/me, declared in src/auth):
     * this file is only the route → page table.
     */
    menu?: MenuId;
    public?: boolean;
  }
}

// Each page is its own chunk: the first load carries the login page and the layout only.
const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('../views/login/index.vue'),
    meta: { title: '登录', public: true },
  },
  // Residents' pages: no account (src/http/routes/public-cases.routes.ts).
  {
    path: '/public/apply',
    component: () => import('../views/public/apply.vue'),
    meta: { title: '在线申请', public: true },
  },
  {
    path: '/public/status',
    component: () => import('../views/public/status.vue'),
    meta: { title: '办理进度查询', public: true },
  },
  // Printable documents: a page of their own (a toolbar and the A4 sheet), outside the layout, so that
  // the browser prints the sheet alone.
  {
    path: '/documents/households/:id/info-sheet',
    component: () => import('../views/documents/info-sheet.vue'),
    meta: { title: '家庭基本信息表', menu: 'households' },
  },
  {
    path: '/documents/calculation',
    component: () => import('../views/documents/calculation.vue'),
    meta: { title: '社会救助测算单', menu: 'calculator' },
  },
  {
    path: '/',
    component: () => import('../layouts/BasicLayout.vue'),
    children: [
      { path: '', redirect: () => homePath() ?? '/dashboard' },
      {
        path: 'dashboard',
        component: () => import('../views/dashboard/index.vue'),
        meta: { title: '首页', menu: 'dashboard' },
      },
      {
        path: 'statistics',
        component: () => import('../views/statistics/index.vue'),
        meta: { title: '统计报表', menu: 'statistics' },
      },
      {
        path: 'persons',
        component: () => import('../views/persons/list.vue'),
        meta: { title: '人口信息', menu: 'persons' },
      },
      {
        path: 'persons/:id',
        component: () => import('../views/persons/detail.vue'),
        meta: { title: '人员详情', menu: 'persons' },
      },
      {
        path: 'households',
        component: () => import('../views/households/list.vue'),
        meta: { title: '家庭户', menu: 'households' },
      },
      {
        path: 'households/:id',
        component: () => import('../views/households/detail.vue'),
        meta: { title: '家庭户详情', menu: 'households' },
      },
      {
        path: 'transfers',
        component: () => import('../views/registry-edits/transfers.vue'),
        meta: { title: '跨区迁移', menu: 'transfers' },
      },
      {
        path: 'verifications',
        component: () => import('../views/verifications/list.vue'),
        meta: { title: '核对委托', menu: 'verifications' },
      },
      {
        path: 'verifications/rechecks',
        component: () => import('../views/verifications/rechecks.vue'),
        meta: { title: '在保对象定期复核', menu: 'verifications' },
      },
      {
        path: 'verifications/:district/:id',
        component: () => import('../views/verifications/detail.vue'),
        meta: { title: '核对委托详情', menu: 'verifications' },
      },
      {
        path: 'cases',
        component: () => import('../views/cases/list.vue'),
        meta: { title: '救助申请', menu: 'cases' },
      },
      {
        path: 'cases/new',
        component: () => import('../views/cases/intake.vue'),
        meta: { title: '登记救助申请', menu: 'cases' },
      },
      {
        path: 'cases/queue',
        component: () => import('../views/cases/queue.vue'),
        meta: { title: '审批（确认）', menu: 'cases' },
      },
      {
        path: 'cases/publicity',
        component: () => import('../views/cases/publicity.vue'),
        meta: { title: '公示', menu: 'cases' },
      },
      {
        path: 'cases/reviews',
        component: () => import('../views/cases/reviews.vue'),
        meta: { title: '定期复审', menu: 'cases' },
      },
      {
        path: 'cases/:district/:id',
        component: () => import('../views/cases/detail.vue'),
        meta: { title: '救助申请详情', menu: 'cases' },
      },
      {
        path: 'online-applications',
        component: () => import('../views/online-applications/list.vue'),
        meta: { title: '网上申请（待匹配）', menu: 'online-applications' },
      },
      {
        path: 'online-applications/:district/:id',
        component: () => import('../views/online-applications/detail.vue'),
        meta: { title: '网上申请详情', menu: 'online-applications' },
      },
      {
        path: 'entitlements',
        component: () => import('../views/entitlements/list.vue'),
        meta: { title: '救助待遇', menu: 'entitlements' },
      },
      {
        path: 'tasks',
        component: () => import('../views/tasks/index.vue'),
        meta: { title: '待办', menu: 'tasks' },
      },
      {
        path: 'findings',
        component: () => import('../views/findings/list.vue'),
        meta: { title: '内控发现', menu: 'findings' },
      },
      {
        path: 'payroll',
        component: () => import('../views/payroll/runs/list.vue'),
        meta: { title: '发放管理', menu: 'payroll' },
      },
      {
        path: 'payroll/runs/:district/:id',
        component: () => import('../views/payroll/runs/detail.vue'),
        meta: { title: '发放批次', menu: 'payroll' },
      },
      {
        path: 'payroll/recoveries',
        component: () => import('../views/payroll/recoveries.vue'),
        meta: { title: '追缴', menu: 'payroll-recoveries' },
      },
      {
        path: 'payroll/onboarding',
        component: () => import('../views/payroll/onboarding/index.vue'),
        meta: { title: '在保对象导入', menu: 'payroll-onboarding' },
      },
      {
        path: 'archives/:kind(persons|households)/:district/:id',
        component: () => import('../views/archives/archive.vue'),
        meta: { title: '电子档案' },
      },
      {
        path: 'entitlements/:district/:id',
        component: () => import('../views/entitlements/detail.vue'),
        meta: { title: '待遇详情', menu: 'entitlements' },
      },
      {
        path: 'advisers',
        component: () => import('../views/advisers/caseload.vue'),
        meta: { title: '我的救助对象', menu: 'adviser-caseload' },
      },
      {
        path: 'advisers/assignments',
        component: () => import('../views/advisers/assignments.vue'),
        meta: { title: '救助顾问', menu: 'adviser-assignments' },
      },
      {
        path: 'advisers/households/:district/:id',
        component: () => import('../views/advisers/household.vue'),
        meta: { title: '救助顾问的家庭页' },
      },
      {
        path: 'relatives',
        component: () => import('../views/relatives/index.vue'),
        meta: { title: '近亲属备案', menu: 'relatives' },
      },
      {
        path: 'import',
        component: () => import('../views/import/form.vue'),
        meta: { title: '台账导入', menu: 'import' },
      },
      {
        path: 'calculator',
        component: () => import('../views/calculator/form.vue'),
        meta: { title: '政策计算器', menu: 'calculator' },
      },
      {
        path: 'parameters',
        component: () => import('../views/parameters/list.vue'),
        meta: { title: '政策参数', menu: 'parameters' },
      },
      {
        path: 'calendar',
        component: () => import('../views/calendar/index.vue'),
        meta: { title: '工作日历', menu: 'calendar' },
      },
      {
        path: 'simulate',
        component: () => import('../views/simulate/index.vue'),
        meta: { title: '政策测算', menu: 'simulate' },
      },
      {
        path: 'jobs',
        component: () => import('../views/jobs/list.vue'),
        meta: { title: '任务', menu: 'jobs' },
      },
      {
        path: 'audit',
        component: () => import('../views/audit/list.vue'),
        meta: { title: '审计日志', menu: 'audit' },
      },
      {
        path: 'users',
        component: () => import('../views/users/list.vue'),
        meta: { title: '用户管理', menu: 'users' },
      },
      {
        path: 'backup',
        component: () => import('../views/backup/list.vue'),
        meta: { title: '系统备份', menu: 'backup' },
      },
      {
        path: ':pathMatch(.*)*',
        component: () => import('../views/errors/not-found.vue'),
        meta: { title: '未找到' },
      },
    ],
  },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  const user = await loadSession();
  if (!user) return { path: '/login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
  if (to.meta.menu && !hasMenu(to.meta.menu, user)) {
    return { path: homePath(user) ?? '/login' };
  }
  return true;
});

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · 智慧民政` : '智慧民政';
});
