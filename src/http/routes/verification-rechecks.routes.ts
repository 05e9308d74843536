import { z } from 'zod';
import { hasPermission, scopeOf, type Permission } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import { shanghaiMonth } from '../../core/clock.ts';
import { presentJob } from '../../jobs/jobs.present.ts';
import { getJob } from '../../jobs/jobs.repository.ts';
import { canCancelJob, enqueueJob, userViewer } from '../../jobs/jobs.service.ts';
import { jobKinds } from '../../jobs/kinds/index.ts';
import { recheckKey } from '../../jobs/kinds/verification-recheck.job.ts';
import { isProgramCode, PROGRAMS } from '../../policy/index.ts';
import { changesCsv, listChanges } from '../../verification/recheck/change-list.service.ts';
import { RECHECK_KIND } from '../../verification/recheck/recheck.service.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { reasonText } from '../schemas.ts';
import { actorOf } from './edit-pipeline.ts';
import { jobSchema } from './jobs.routes.ts';
import { districtOf, districtQuery } from './registry.routes.ts';

/**
 * 在保对象定期复核 (src/verification/recheck): queue the re-verification of a program's recipients in a
 * district (a job), and read what it found — the change list, on screen and as CSV.
 */

const TAG = '核对';

const changeSchema = z.object({
  requestId: z.string(),
  householdId: z.string(),
  householdNo: z.string().nullable(),
  committeeName: z.string().nullable(),
  personId: z.string().nullable(),
  personName: z.string().describe('成员姓名；家庭财产类为“全户”'),
  kind: z.string(),
  kindName: z.string(),
  program: z.string(),
  programName: z.string(),
  oldValue: z.number().nullable().describe('复核前有效的数值（金额为分）'),
  newValue: z.number().nullable().describe('核对所得数值（金额为分）'),
  oldText: z.string(),
  newText: z.string(),
  source: z.string(),
  sourceNames: z.string(),
  asOf: z.string(),
  affectsEligibility: z.boolean().describe('按政策引擎测算，影响救助资格'),
  affectsAmount: z.boolean().describe('按政策引擎测算，影响救助金额'),
});

const jobParams = z.object({ jobId: z.uuid('任务编号格式不正确') });

const changeQuery = z.object({
  affectsOnly: z.enum(['true', 'false']).optional().describe('true：只列影响资格或金额的变更'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

function allowed(user: AuthUser, permission: Permission): void {
  if (!hasPermission(user.role, permission)) throw new AppError('FORBIDDEN');
}

export function registerVerificationRecheckRoutes(app: ZodApp, { store, config }: ServerDeps): void {
  const kinds = jobKinds();

  /**
   * A re-verification job of the caller's district; 404 otherwise. A street's staff read its change list
   * (their households' rows only, by the data scope) though the job itself is the district's.
   */
  const recheckJob = async (user: AuthUser, id: string) => {
    const job = await getJob(store.db, id);
    const scope = scopeOf(user);
    if (
      !job ||
      job.kind !== RECHECK_KIND ||
      (scope.kind === 'division' && scope.code.slice(0, 6) !== job.districtCode)
    ) {
      throw new AppError('NOT_FOUND', '定期复核任务不存在');
    }
    return job;
  };

  app.post(
    '/api/verifications/rechecks',
    {
      schema: {
        tags: [TAG],
        summary:
          '发起在保对象定期复核（任务，202）：本区该项目持有随待遇延续授权书的家庭逐批核对，生成变更清单；同一项目每月一次，已在进行或已完成时 409',
        querystring: districtQuery,
        body: z.object({
          program: z.string().refine(isProgramCode, '政策项目代码不存在').describe('政策项目代码，如 dibao'),
          reason: reasonText(2, 200, '复核原因').default('在保对象定期复核'),
        }),
        response: { 202: z.object({ job: jobSchema.extend({ canCancel: z.boolean() }) }) },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      allowed(user, 'verification.recheck');
      const districtCode = districtOf(scopeOf(user), request.query.district, config);
      const payload = { districtCode, program: request.body.program };
      const enqueued = await enqueueJob(store, kinds, {
        kind: RECHECK_KIND,
        payload,
        actor: actorOf(request, user, request.body.reason),
        divisionCode: districtCode,
        idempotencyKey: recheckKey(payload, shanghaiMonth()),
      });
      if (enqueued.existing) {
        const { job } = enqueued;
        const name = PROGRAMS[payload.program].name;
        throw new AppError(
          'CONFLICT',
          job.state === 'succeeded'
            ? `本月${name}在保对象定期复核已完成（任务 ${job.id}），请查看其变更清单`
            : `本月${name}在保对象定期复核正在进行（任务 ${job.id}），请勿重复发起`,
          { payload: { jobId: job.id } },
        );
      }
      const job = {
        ...presentJob(enqueued.job, kinds),
        canCancel: canCancelJob(userViewer(user), enqueued.job, kinds.get(RECHECK_KIND)),
      };
      return reply.status(202).send({ job });
    },
  );

  app.get(
    '/api/verifications/rechecks/:jobId/changes',
    {
      schema: {
        tags: [TAG],
        summary:
          '定期复核的变更清单（数据范围内）：每户、成员、项目一行，复核前数值、核对值、来源与是否影响资格或金额',
        params: jobParams,
        querystring: changeQuery,
        response: { 200: z.object({ items: z.array(changeSchema), total: z.number().int() }) },
      },
    },
    async (request) => {
      const user = requireUser(request);
      allowed(user, 'verification.view');
      const job = await recheckJob(user, request.params.jobId);
      const q = request.query;
      return listChanges(store.db, scopeOf(user), {
        districtCode: job.districtCode,
        jobId: job.id,
        affectsOnly: q.affectsOnly === 'true',
        limit: q.limit,
        offset: q.offset,
      });
    },
  );

  app.get(
    '/api/verifications/rechecks/:jobId/changes.csv',
    {
      schema: {
        tags: [TAG],
        summary: '下载定期复核变更清单（CSV，UTF-8）',
        params: jobParams,
        querystring: changeQuery.pick({ affectsOnly: true }),
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      allowed(user, 'verification.view');
      const job = await recheckJob(user, request.params.jobId);
      const body = await changesCsv(store.db, scopeOf(user), {
        districtCode: job.districtCode,
        jobId: job.id,
        affectsOnly: request.query.affectsOnly === 'true',
      });
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="recheck-${job.id}.csv"; filename*=UTF-8''${encodeURIComponent('定期复核变更清单')}.csv`,
        )
        .send(body);
    },
  );
}
