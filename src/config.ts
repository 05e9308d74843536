import { z } from 'zod';
import { everyMinutesCron } from './jobs/every-minutes.ts';

/**
 * Settings come from the environment once, at start-up; a bad value stops the process with one clear
 * line (see `loadConfig`). Handlers receive the parsed object and never read process.env themselves.
 */
/** A whole number setting with its range, refused in Chinese. */
const whole = (min: number, max: number, fallback: number) => {
  const range = `须为 ${min} 到 ${max} 之间的整数`;
  return z.coerce.number({ error: range }).int(range).min(min, range).max(max, range).default(fallback);
};

const configSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  MINZHENG_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, '必须是 postgres:// 开头的连接串')
    .optional(),
  MINZHENG_DEMO: z.enum(['true', 'false']).default('true'),
  MINZHENG_DEMO_DISTRICT: z
    .string()
    .regex(/^\d{6}$/, '必须是6位区划代码')
    .default('310110'),
  MINZHENG_DEMO_PERSONS: z.coerce.number().int().min(0).max(5_000_000).default(20_000),
  MINZHENG_SESSION_HOURS: z.coerce.number().int().min(1).max(72).default(8),
  // How long a server may answer from its memory of a live session (0: ask the database every request).
  MINZHENG_SESSION_CACHE_SECONDS: whole(0, 300, 30),
  MINZHENG_MAX_UPLOAD_MB: z.coerce.number().int().min(1).max(1024).default(50),
  // What one roster import may hold whatever its size on disk: a 60 KB .xlsx can inflate to a 50 MB cell.
  MINZHENG_IMPORT_MAX_ROWS: whole(1, 2_000_000, 200_000),
  MINZHENG_IMPORT_MAX_CELL_CHARS: whole(100, 100_000, 1000),
  MINZHENG_IMPORT_MAX_UNZIPPED_MB: whole(1, 4096, 300),
  // Files and attachments (src/files/): where contents live (default: <data dir>/files on the embedded
  // store, the database on a PostgreSQL server) and the size one attachment may have.
  MINZHENG_FILES_DIR: z.string().min(1).optional(),
  MINZHENG_FILE_MAX_MB: whole(1, 1024, 20),
  MINZHENG_BODY_LIMIT_KB: z.coerce.number().int().min(16).max(10_240).default(1024),
  MINZHENG_LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  MINZHENG_LOGIN_LOCK_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  MINZHENG_COOKIE_SECURE: z.enum(['true', 'false']).default('false'),
  // 网上申请与办理进度查询 (docs/public-application.md): attempts per window, and the least answer time.
  MINZHENG_PUBLIC_APPLY_PER_IP_HOUR: z.coerce.number().int().min(1).max(10_000).default(5),
  MINZHENG_PUBLIC_APPLY_PER_ID_DAY: z.coerce.number().int().min(1).max(1000).default(3),
  MINZHENG_PUBLIC_STATUS_PER_IP_HOUR: z.coerce.number().int().min(1).max(10_000).default(30),
  MINZHENG_PUBLIC_STATUS_PER_CODE_HOUR: z.coerce.number().int().min(1).max(1000).default(10),
  MINZHENG_PUBLIC_MIN_RESPONSE_MS: z.coerce.number().int().min(0).max(10_000).default(400),
  MINZHENG_WEB_DIST: z.string().min(1).default('web/dist'),
  MINZHENG_BUILD_WEB: z.enum(['true', 'false']).default('true'),
  // Audit checkpoints (src/audit/checkpoint.service.ts): minutes between signed checkpoints of the
  // running server (0: none); the signing key and the checkpoint file, by default in the data folder.
  // Since the job runner, a schedule (src/jobs): the minutes become a cron expression, so they must be one.
  MINZHENG_AUDIT_CHECKPOINT_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(10_080)
    .default(60)
    .refine(
      (minutes) => minutes === 0 || everyMinutesCron(minutes) !== undefined,
      '须为 0（关闭）、能整除 60 的分钟数（如 5、15、30）、60 的倍数且能整除一天（60、120、180、240、360、480、720、1440）或 10080（每周）',
    ),
  MINZHENG_AUDIT_KEY_FILE: z.string().min(1).optional(),
  MINZHENG_AUDIT_CHECKPOINT_FILE: z.string().min(1).optional(),
  // Online backups of the embedded store (src/backup/): the folder (default <data dir>/backups), how many
  // to keep, and when the scheduled backup runs (five cron fields, Shanghai time; "off": none).
  MINZHENG_BACKUP_DIR: z.string().min(1).optional(),
  MINZHENG_BACKUP_KEEP: whole(1, 1000, 7),
  MINZHENG_BACKUP_SCHEDULE: z
    .string()
    .trim()
    .regex(/^(off|\S+( \S+){4})$/, '须为 5 段 cron 表达式（如 0 2 * * *，上海时间）或 off')
    .default('0 2 * * *'),
  // The job runner (src/jobs, docs/operations.md): whether `serve` runs jobs itself (the embedded store
  // always does: no other process can open it), the target time of one batch (default 20 ms on the
  // embedded store, so requests interleave; 200 ms on PostgreSQL), and how long a worker's claim on a
  // job lasts without renewal before another worker resumes it.
  MINZHENG_JOBS_IN_SERVER: z.enum(['true', 'false']).default('true'),
  MINZHENG_JOBS_BATCH_MS: z.coerce
    .number({ error: '须为 1 到 10000 之间的整数' })
    .int('须为 1 到 10000 之间的整数')
    .min(1, '须为 1 到 10000 之间的整数')
    .max(10_000, '须为 1 到 10000 之间的整数')
    .optional(),
  MINZHENG_JOBS_LEASE_SECONDS: whole(5, 3600, 60),
  // Verification sources (src/verification/sources/adapters.ts, docs/verification-sources.md): the settings
  // file naming each source's adapter (simulated, file, http; default: every source simulated), and the
  // minutes between the gathering job's sweeps (answer files picked up, time-outs; 0: none).
  MINZHENG_VERIFICATION_SOURCES: z.string().min(1).optional(),
  MINZHENG_VERIFICATION_GATHER_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(1440)
    .default(5)
    .refine(
      (minutes) => minutes === 0 || everyMinutesCron(minutes) !== undefined,
      '须为 0（关闭）、能整除 60 的分钟数（如 5、15、30）或能整除一天的整小时数（60、120、…、1440）',
    ),
  // The monthly re-verification of the district's 低保 recipients (five-field cron, Shanghai time; 'off' for
  // none); an administrator may change the schedule in the console afterwards.
  MINZHENG_VERIFICATION_RECHECK_CRON: z
    .string()
    .default('0 2 1 * *')
    .refine(
      (cron) => cron === 'off' || /^\S+( \S+){4}$/.test(cron.trim()),
      '须为五段定时表达式（分 时 日 月 周，上海时间），或 off 关闭',
    ),
  // The daily derivation and processing of the district's life events (five-field cron, Shanghai time; 'off'
  // for none); an administrator may change the schedule in the console afterwards.
  MINZHENG_EVENTS_CRON: z
    .string()
    .default('30 1 * * *')
    .refine(
      (cron) => cron === 'off' || /^\S+( \S+){4}$/.test(cron.trim()),
      '须为五段定时表达式（分 时 日 月 周，上海时间），或 off 关闭',
    ),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join('.') ?? '?';
    throw new ConfigError(`配置错误：${key}=${JSON.stringify(env[key] ?? '')}：${issue?.message ?? ''}`);
  }
  return parsed.data;
}
