import { z } from 'zod';
import type { AuthUser } from '../../auth/user.ts';
import { jobKinds } from '../../jobs/kinds/index.ts';
import { presentJob } from '../../jobs/jobs.present.ts';
import {
  canCancelJob,
  canStartKind,
  cancelJob,
  enqueueJob,
  listVisibleJobs,
  showJob,
  userViewer,
} from '../../jobs/jobs.service.ts';
import { changeSchedule, presentSchedule, scheduleViews } from '../../jobs/schedules.service.ts';
import { JOB_STATES } from '../../jobs/schema.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { pageQuery, reasonText, text, uuidParam } from '../schemas.ts';

export const jobSchema = z.object({
  id: z.string(),
  kind: z.string(),
  kindLabel: z.string(),
  state: z.enum(JOB_STATES),
  stateLabel: z.string(),
  divisionCode: z.string(),
  done: z.number(),
  total: z.number().nullable(),
  percent: z.number().nullable().describe('0–100；总数未知时为 null'),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  error: z.string().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  createdBy: z.string().nullable(),
  reason: z.string(),
  scheduleName: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  canCancel: z.boolean(),
});

const kindSchema = z.object({ kind: z.string(), label: z.string(), canStart: z.boolean() });

const scheduleSchema = z.object({
  name: z.string(),
  kind: z.string(),
  kindLabel: z.string(),
  cron: z.string().describe('定时表达式：分 时 日 月 周（上海时间）'),
  enabled: z.boolean(),
  nextRunAt: z.string().nullable().describe('下次运行时间（ISO 8601）；停用时为 null'),
  lastRunAt: z.string().nullable(),
  lastJobId: z.string().nullable(),
  unavailable: z
    .string()
    .nullable()
    .describe('在本系统的数据库上不能启用的原因（如 PostgreSQL 上的系统备份）'),
});

/** Schedules are the system administrator's: they see and change them (users.manage, as the users page). */
function requireScheduleAdmin(user: AuthUser): void {
  if (!userViewer(user).can('users.manage')) throw new AppError('FORBIDDEN');
}

const listQuery = pageQuery.extend({
  state: z
    .string()
    .regex(new RegExp(`^(${JOB_STATES.join('|')})(,(${JOB_STATES.join('|')}))*$`), '状态不正确')
    .optional()
    .describe(`按状态筛选，可用逗号分隔多个：${JOB_STATES.join(',')}`),
  kind: text(60).optional().describe('按种类筛选'),
});

/** The user may look at jobs at all: some kind of job is theirs to see. */
function requireJobViewer(user: AuthUser) {
  const viewer = userViewer(user);
  if (
    !jobKinds()
      .list()
      .some((kind) => viewer.can(kind.viewPermission))
  )
    throw new AppError('FORBIDDEN');
  return viewer;
}

export function registerJobRoutes(app: ZodApp, { store, config }: ServerDeps): void {
  const kinds = jobKinds();
  const view = (user: AuthUser, job: Parameters<typeof presentJob>[0]) => ({
    ...presentJob(job, kinds),
    canCancel: canCancelJob(userViewer(user), job, kinds.get(job.kind)),
  });

  app.get(
    '/api/jobs',
    {
      schema: {
        tags: ['任务'],
        summary: '任务列表（本人数据范围内、本人可见种类的任务，最新的在前）',
        querystring: listQuery,
        response: {
          200: z.object({
            items: z.array(jobSchema),
            total: z.number().int(),
            totalExact: z.boolean(),
            kinds: z.array(kindSchema).describe('本人可见的任务种类，canStart 为可在此提交'),
          }),
        },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const viewer = requireJobViewer(user);
      const { state, kind, limit, offset } = request.query;
      const page = await listVisibleJobs(store, kinds, viewer, {
        kind,
        states: state?.split(',') as (typeof JOB_STATES)[number][] | undefined,
        limit,
        offset,
      });
      return {
        items: page.items.map((job) => view(user, job)),
        total: page.total,
        totalExact: true,
        kinds: kinds
          .list()
          .filter((k) => viewer.can(k.viewPermission))
          .map((k) => ({
            kind: k.kind,
            label: k.label,
            canStart: canStartKind(viewer, k) && !k.unavailable?.(store.kind),
          })),
      };
    },
  );

  app.get(
    '/api/jobs/schedules',
    {
      schema: {
        tags: ['任务'],
        summary: '定时任务（系统管理员）：定时表达式为上海时间的“分 时 日 月 周”',
        response: { 200: z.object({ items: z.array(scheduleSchema) }) },
      },
    },
    async (request) => {
      requireScheduleAdmin(requireUser(request));
      return { items: await scheduleViews(store, kinds) };
    },
  );

  app.patch(
    '/api/jobs/schedules/:name',
    {
      schema: {
        tags: ['任务'],
        summary:
          '修改定时任务（系统管理员）：新的定时表达式（5 段，上海时间）和/或启用、停用，须说明原因，记入审计日志；' +
          '表达式不合法时 400（中文说明），不做任何更改；此后启动时不再按设置覆盖',
        params: z.object({ name: text(100).pipe(z.string().min(1)) }),
        body: z
          .object({
            cron: text(100).optional().describe('新的定时表达式，如 0 2 * * *（每天 2:00）'),
            enabled: z.boolean().optional().describe('true 启用，false 停用'),
            reason: reasonText(2, 200, '修改原因'),
          })
          .strict(),
        response: {
          200: scheduleSchema.extend({ changed: z.boolean().describe('false：已是所要的设置，未做更改') }),
        },
      },
    },
    async (request) => {
      const user = requireUser(request);
      requireScheduleAdmin(user);
      const { cron, enabled, reason } = request.body;
      const { schedule, changed } = await inUnitOfWork(
        store,
        { userId: user.id, divisionCode: user.divisionCode, reason, requestId: request.id },
        (tx) => changeSchedule(tx, kinds, store.kind, request.params.name, { cron, enabled }),
      );
      return { ...presentSchedule(schedule, kinds, store.kind), changed };
    },
  );

  app.get(
    '/api/jobs/:id',
    {
      schema: {
        tags: ['任务'],
        summary: '一个任务的状态、进度与结果（运行中时可轮询）',
        params: uuidParam,
        response: { 200: jobSchema },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const job = await showJob(store, kinds, requireJobViewer(user), request.params.id);
      return view(user, job);
    },
  );

  app.post(
    '/api/jobs',
    {
      schema: {
        tags: ['任务'],
        summary:
          '提交任务（本人角色可提交的种类）；参数不合法时 400，不写入任何数据；同一业务已有任务时返回该任务',
        body: z
          .object({
            kind: text(60).pipe(z.string().min(1, '请选择任务种类')),
            payload: z.record(z.string(), z.unknown()).default({}),
            reason: reasonText(2, 200, '提交原因'),
          })
          .strict(),
        response: { 202: z.object({ job: jobSchema, existing: z.boolean() }) },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const viewer = userViewer(user);
      const kind = kinds.get(request.body.kind);
      if (!kind || !viewer.can(kind.viewPermission)) {
        throw new AppError('VALIDATION', `没有这种任务：${request.body.kind}`);
      }
      if (!canStartKind(viewer, kind)) throw new AppError('FORBIDDEN', `没有提交“${kind.label}”任务的权限`);
      const { job, existing } = await enqueueJob(store, kinds, {
        kind: kind.kind,
        payload: request.body.payload,
        actor: {
          userId: user.id,
          divisionCode: user.divisionCode,
          reason: request.body.reason,
          requestId: request.id,
        },
        divisionCode: user.divisionCode,
      });
      return reply.status(202).send({ job: view(user, job), existing });
    },
  );

  app.post(
    '/api/jobs/:id/cancel',
    {
      schema: {
        tags: ['任务'],
        summary: '取消任务：排队中的立即取消，运行中的在当前批次结束时停止（该批次撤销）；已结束的返回 409',
        params: uuidParam,
        body: z.object({ reason: reasonText(2, 200, '取消原因') }).strict(),
        response: { 200: jobSchema },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const job = await cancelJob(
        store,
        kinds,
        requireJobViewer(user),
        {
          userId: user.id,
          divisionCode: user.divisionCode,
          reason: request.body.reason,
          requestId: request.id,
        },
        request.params.id,
        { config },
      );
      return view(user, job);
    },
  );
}
