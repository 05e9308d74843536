import { z } from 'zod';
import { BackupError } from '../../backup/backup.errors.ts';
import { backupSettings, listBackups } from '../../backup/backup.service.ts';
import { presentJob } from '../../jobs/jobs.present.ts';
import {
  canCancelJob,
  listVisibleJobs,
  schedules,
  upcomingRun,
  userViewer,
} from '../../jobs/jobs.service.ts';
import { jobKinds } from '../../jobs/kinds/index.ts';
import { BACKUP_KIND, BACKUP_SCHEDULE, requestBackup } from '../../jobs/kinds/backup.job.ts';
import type { AuthUser } from '../../auth/user.ts';
import type { Job } from '../../jobs/jobs.repository.ts';
import { requirePermission, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { reasonText } from '../schemas.ts';
import { jobSchema } from './jobs.routes.ts';

const backupFile = z.object({
  name: z.string().describe('文件名（含上海时间）'),
  bytes: z.number().describe('文件大小（字节）'),
  sha256: z.string().nullable().describe('SHA-256 校验值（同名 .sha256 文件）'),
  takenAt: z.string().describe('备份时间（ISO 8601）'),
});

const listing = z.object({
  supported: z.boolean().describe('是否为内置数据库（PGlite）：PostgreSQL 服务器的备份由数据库管理员负责'),
  notice: z.string().nullable(),
  folder: z.string().describe('备份目录（服务器上）'),
  keep: z.number().describe('保留最近几份'),
  schedule: z
    .string()
    .describe(
      '定时备份（cron，上海时间；off 为不定时备份）：定时任务 backup 当前的设置，管理员可在任务页修改',
    ),
  nextRunAt: z.string().nullable().describe('下次定时备份的时间（ISO 8601）；不定时备份时为 null'),
  running: z.boolean(),
  lastJob: jobSchema
    .nullable()
    .describe('最近一次备份任务（排队中、运行中或已结束），供页面跟随其进度与结果'),
  backups: z.array(backupFile).describe('新的在前'),
});

function appErrorOf(error: unknown): unknown {
  if (!(error instanceof BackupError)) return error;
  if (error.code === 'not_embedded') return new AppError('BACKUP_UNSUPPORTED', error.message);
  if (error.code === 'running') return new AppError('BACKUP_RUNNING', error.message);
  return new AppError('UNAVAILABLE', error.message);
}

/**
 * 系统备份 (system administrators): online backups of the embedded store, taken as jobs (the job runner
 * takes them, the console follows the job); the list, the settings and the schedule.
 */
export function registerBackupRoutes(app: ZodApp, { store, config }: ServerDeps): void {
  const settings = backupSettings(config);
  const kinds = jobKinds();
  const view = (user: AuthUser, job: Job) => ({
    ...presentJob(job, kinds),
    canCancel: canCancelJob(userViewer(user), job, kinds.get(job.kind)),
  });

  app.get(
    '/api/backups',
    {
      schema: {
        tags: ['系统备份'],
        summary:
          '备份列表与设置（系统管理员）：备份目录、保留份数、定时、最近一次备份任务；PostgreSQL 服务器上说明备份由数据库管理员负责',
        response: { 200: listing },
      },
    },
    async (request) => {
      const user = requirePermission(request, 'system.backup');
      const found = await listBackups(store.kind, settings);
      const saved = (await schedules(store)).find((s) => s.name === BACKUP_SCHEDULE);
      const { items } = await listVisibleJobs(store, kinds, userViewer(user), {
        kind: BACKUP_KIND,
        limit: 1,
        offset: 0,
      });
      const last = items[0];
      return {
        ...found,
        schedule: saved ? (saved.enabled ? saved.cron : 'off') : found.schedule,
        nextRunAt: saved ? (upcomingRun(saved)?.toISOString() ?? null) : null,
        lastJob: last ? view(user, last) : null,
      };
    },
  );

  app.post(
    '/api/backups',
    {
      schema: {
        tags: ['系统备份'],
        summary:
          '立即备份（系统管理员）：提交为备份任务（202，返回任务，用 GET /api/jobs/:id 跟随进度与结果）；已有备份任务排队或运行时返回该任务。' +
          '任务在两次事务之间复制内置数据库，连同附件文件与审计签名密钥、检查点文件压缩写入备份目录并附 SHA-256；只保留最近几份；记入审计日志',
        body: z
          .object({
            reason: reasonText(2, 200, '备份原因').optional().describe('备份原因（记入审计日志）'),
          })
          .nullish(),
        response: { 202: z.object({ job: jobSchema, existing: z.boolean() }) },
      },
    },
    async (request, reply) => {
      const user = requirePermission(request, 'system.backup');
      const { job, existing } = await requestBackup(store, kinds, config, {
        actor: {
          userId: user.id,
          divisionCode: user.divisionCode,
          reason: request.body?.reason ?? '管理员手动备份',
          requestId: request.id,
        },
        divisionCode: user.divisionCode,
      }).catch((error: unknown) => {
        throw appErrorOf(error);
      });
      return reply.status(202).send({ job: view(user, job), existing });
    },
  );
}
