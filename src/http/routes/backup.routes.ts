import { z } from 'zod';
import { BackupError } from '../../backup/backup.errors.ts';
import { backupSettings, listBackups, takeBackup } from '../../backup/backup.service.ts';
import { requirePermission, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { reasonText } from '../schemas.ts';

const head = z.object({ lastId: z.number(), lastHash: z.string(), count: z.number() });

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
  schedule: z.string().describe('定时备份（cron，上海时间；off 为不定时备份）'),
  running: z.boolean(),
  backups: z.array(backupFile).describe('新的在前'),
});

const taken = backupFile.extend({
  sha256: z.string(),
  auditHead: head.describe('备份中审计日志的链头'),
  files: z.number(),
  dataBytes: z.number().describe('数据目录大小（压缩前，字节）'),
  pausedMs: z.number().describe('其间数据库请求等待的时间（毫秒）'),
  tookMs: z.number().describe('备份总用时（毫秒）'),
  removed: z.array(z.string()).describe('为只保留最近几份而删除的旧备份'),
});

function appErrorOf(error: unknown): unknown {
  if (!(error instanceof BackupError)) return error;
  if (error.code === 'not_embedded') return new AppError('BACKUP_UNSUPPORTED', error.message);
  if (error.code === 'running') return new AppError('BACKUP_RUNNING', error.message);
  return new AppError('UNAVAILABLE', error.message);
}

/** 系统备份 (system administrators): online backups of the embedded store, on demand; the list and settings. */
export function registerBackupRoutes(app: ZodApp, { store, config, version }: ServerDeps): void {
  const settings = backupSettings(config);

  app.get(
    '/api/backups',
    {
      schema: {
        tags: ['系统备份'],
        summary:
          '备份列表与设置（系统管理员）：备份目录、保留份数、定时；PostgreSQL 服务器上说明备份由数据库管理员负责',
        response: { 200: listing },
      },
    },
    async (request) => {
      requirePermission(request, 'system.backup');
      return listBackups(store.kind, settings);
    },
  );

  app.post(
    '/api/backups',
    {
      schema: {
        tags: ['系统备份'],
        summary:
          '立即备份（系统管理员）：在两次事务之间复制内置数据库，压缩写入备份目录并附 SHA-256；只保留最近几份；记入审计日志',
        body: z
          .object({
            reason: reasonText(2, 200, '备份原因').optional().describe('备份原因（记入审计日志）'),
          })
          .nullish(),
        response: { 201: taken },
      },
    },
    async (request, reply) => {
      const user = requirePermission(request, 'system.backup');
      const result = await takeBackup(
        store,
        settings,
        {
          userId: user.id,
          divisionCode: user.divisionCode,
          reason: request.body?.reason ?? '管理员手动备份',
          requestId: request.id,
        },
        { appVersion: version },
      ).catch((error: unknown) => {
        throw appErrorOf(error);
      });
      const { path: _path, ...shown } = result;
      return reply.status(201).send(shown);
    },
  );
}
