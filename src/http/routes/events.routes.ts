/**
 * 生命事件与待办 over HTTP (docs/events.md 接口): the events of the caller's scope with filters, and the
 * follow-up tasks they (and later the discovery scans) create — listed in the scope, completed with an outcome.
 */
import { z } from 'zod';
import { scopeOf } from '../../auth/roles.ts';
import { EVENT_KINDS } from '../../events/event-kinds.ts';
import { listEvents } from '../../events/events.service.ts';
import { completeTask, listTasks, TASK_OUTCOMES } from '../../tasks/tasks.service.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { requirePermission, type ServerDeps, type ZodApp } from '../context.ts';
import { reasonText } from '../schemas.ts';

const int = z.number().int();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
const page = {
  limit: z.coerce.number().int().min(1).max(500).optional(),
  offset: z.coerce.number().int().min(0).optional(),
};

const eventSchema = z.object({
  id: int,
  districtCode: z.string(),
  kind: z.enum(EVENT_KINDS),
  kindName: z.string(),
  personId: z.string(),
  occurredOn: z.string(),
  divisionCode: z.string(),
  householdId: z.string().nullable(),
  source: z.string(),
  sourceRef: z.string(),
  state: z.enum(['received', 'processed', 'rejected', 'ignored']),
  stateName: z.string(),
  reason: z.string().nullable().describe('拒收或忽略的原因'),
  outcome: z.record(z.string(), z.unknown()).nullable().describe('处理结果（停发、追缴、纳入、待办编号）'),
  receivedAt: z.string(),
  processedAt: z.string().nullable(),
});

const outcomes = Object.keys(TASK_OUTCOMES) as [
  keyof typeof TASK_OUTCOMES,
  ...(keyof typeof TASK_OUTCOMES)[],
];

const taskSchema = z.object({
  id: z.string(),
  districtCode: z.string(),
  householdId: z.string().nullable(),
  personId: z.string().nullable(),
  kind: z.string(),
  title: z.string(),
  divisionCode: z.string(),
  adviserId: z.string().nullable(),
  dueOn: z.string().describe('办理期限（按工作日计算）'),
  state: z.enum(['open', 'done']),
  stateName: z.string(),
  outcome: z.enum(outcomes).nullable(),
  outcomeName: z.string().nullable(),
  note: z.string().nullable().describe('生成待办时的说明（如死亡日期）'),
  outcomeNote: z.string().nullable().describe('办结说明'),
  source: z.string(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
  version: int,
});

const taskListItemSchema = taskSchema.extend({
  householdNo: z.string().nullable().describe('户编号'),
  personName: z.string().nullable(),
  divisionName: z.string().nullable().describe('所属区划全称'),
  overdue: z.boolean().describe('未办结且已过办理期限'),
});

export function registerEventRoutes(app: ZodApp, { store }: ServerDeps): void {
  app.get(
    '/api/events',
    {
      schema: {
        tags: ['生命事件'],
        summary: '生命事件（本人数据范围内，按事件日期倒序）',
        querystring: z.object({
          kind: z.enum(EVENT_KINDS).optional(),
          state: z.enum(['received', 'processed', 'rejected', 'ignored']).optional(),
          personId: z.uuid('编号格式不正确').optional(),
          from: isoDate.optional(),
          to: isoDate.optional(),
          ...page,
        }),
        response: { 200: z.object({ items: z.array(eventSchema), total: int }) },
      },
    },
    async (request) => {
      const user = requirePermission(request, 'events.view');
      return listEvents(store.db, { scope: scopeOf(user), role: user.role }, request.query);
    },
  );

  app.get(
    '/api/tasks',
    {
      schema: {
        tags: ['待办'],
        summary: '待办（本人数据范围内，按期限排序）',
        querystring: z.object({
          state: z.enum(['open', 'done']).optional(),
          kind: z.string().max(40).optional(),
          adviserId: z.uuid('编号格式不正确').optional(),
          ...page,
        }),
        response: { 200: z.object({ items: z.array(taskListItemSchema), total: int }) },
      },
    },
    async (request) => {
      const user = requirePermission(request, 'tasks.view');
      return listTasks(store.db, { scope: scopeOf(user), role: user.role, userId: user.id }, request.query);
    },
  );

  app.post(
    '/api/tasks/:district/:id/complete',
    {
      schema: {
        tags: ['待办'],
        summary: '办结待办：填写办理结果（已办结、对象拒绝、不符合条件、已纳入救助）与说明',
        params: z.object({
          district: z.string().regex(/^\d{6}$/, '区代码应为 6 位数字'),
          id: z.uuid('编号格式不正确'),
        }),
        body: z.object({
          version: int.min(1),
          outcome: z.enum(outcomes),
          note: z.string().max(500).optional(),
          reason: reasonText(2, 200, '办结说明').optional(),
        }),
        response: { 200: taskSchema },
      },
    },
    async (request) => {
      const user = requirePermission(request, 'tasks.complete');
      const b = request.body;
      const reason = b.reason ?? `办结待办：${TASK_OUTCOMES[b.outcome]}`;
      return inUnitOfWork(
        store,
        { userId: user.id, divisionCode: user.divisionCode, requestId: request.id, reason },
        (tx) =>
          completeTask(
            tx,
            { scope: scopeOf(user), role: user.role, userId: user.id },
            {
              districtCode: request.params.district,
              id: request.params.id,
              version: b.version,
              outcome: b.outcome,
              note: b.note,
            },
          ),
      );
    },
  );
}
