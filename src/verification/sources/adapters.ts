import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import type { Db } from '../../db/store.ts';
import { LOCAL_SOURCE_CODES, SOURCES, type SourceCode } from './catalogue.ts';
import { FileExchangeSource } from './file-exchange.source.ts';
import { HttpSource } from './http.source.ts';
import { SimulatedReads, SimulatedSource } from './simulated.source.ts';
import type { SourceAdapter } from './source.ts';

/**
 * How each source is reached in this installation: the settings file named by MINZHENG_VERIFICATION_SOURCES
 * (JSON or YAML; docs/verification-sources.md), else every source simulated. Deployment settings, not policy:
 * an agency's endpoint, folder, token and patience belong to the installation, not to a dated parameter.
 */

const common = {
  timeoutMs: z
    .number()
    .int()
    .min(100)
    .max(30 * 86_400_000)
    .optional(),
  maxAttempts: z.number().int().min(1).max(20).optional(),
};

const sourceSettings = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('simulated'), ...common }).strict(),
  z.object({ kind: z.literal('file'), folder: z.string().min(1).optional(), ...common }).strict(),
  z
    .object({
      kind: z.literal('http'),
      endpoint: z.string().regex(/^https?:\/\//, '接口地址须以 http:// 或 https:// 开头'),
      tokenEnv: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/, '令牌环境变量名须为大写字母、数字和下划线')
        .optional(),
      ...common,
    })
    .strict(),
]);

const settingsSchema = z
  .object({
    /** The folder under which each file source has `<source>/outbox|inbox|done|rejected`. */
    exchangeRoot: z.string().min(1).optional(),
    /** First retry after a failed send, doubled each attempt up to maxRetryMs. */
    retryMs: z.number().int().min(0).max(3_600_000).optional(),
    maxRetryMs: z.number().int().min(0).max(86_400_000).optional(),
    sources: z.record(z.string(), sourceSettings).optional(),
  })
  .strict();

export type SourceSetting = z.infer<typeof sourceSettings>;

export interface SourceSettings {
  exchangeRoot: string;
  retryMs: number;
  maxRetryMs: number;
  sources: Record<SourceCode, SourceSetting & { timeoutMs: number; maxAttempts: number }>;
  /** Bearer tokens read from the environment at load, by source. */
  tokens: Partial<Record<SourceCode, string>>;
}

/** Defaults: a simulated source answers at once; a file agency has two days; HTTP half a minute. */
export const DEFAULT_TIMEOUT_MS = { simulated: 60_000, file: 2 * 86_400_000, http: 30_000 } as const;
export const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * Reads and checks the settings file (every problem in one Chinese error), or the defaults without one.
 * Tokens are read from `env` now, once; a named variable that is unset is refused.
 */
export function loadSourceSettings(
  path: string | undefined,
  dataDir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): SourceSettings {
  let raw: unknown = {};
  const base = path ? dirname(resolve(path)) : resolve(dataDir);
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(
        `核对数据源设置文件 ${path} 无法读取：${error instanceof Error ? error.message : String(error)}`,
      );
    }
    try {
      raw = /\.json$/i.test(path) ? JSON.parse(text) : parse(text);
    } catch {
      throw new Error(`核对数据源设置文件 ${path} 不是有效的 JSON 或 YAML`);
    }
  }
  const checked = settingsSchema.safeParse(raw ?? {});
  if (!checked.success) {
    const lines = checked.error.issues.map((i) => `${i.path.join('.') || '（根）'}：${i.message}`);
    throw new Error(`核对数据源设置文件 ${path} 有误：${lines.join('；')}`);
  }
  const problems: string[] = [];
  const given = checked.data.sources ?? {};
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(SOURCES, name) || name === 'remote') problems.push(`没有本地数据源「${name}」`);
  }
  const root = checked.data.exchangeRoot ?? 'verification-exchange';
  const settings: SourceSettings = {
    exchangeRoot: isAbsolute(root) ? root : resolve(base, root),
    retryMs: checked.data.retryMs ?? 1000,
    maxRetryMs: checked.data.maxRetryMs ?? 60_000,
    sources: {} as SourceSettings['sources'],
    tokens: {},
  };
  for (const source of LOCAL_SOURCE_CODES) {
    const s = given[source] ?? { kind: 'simulated' as const };
    settings.sources[source] = {
      ...s,
      // A file source's own folder, relative to the settings file.
      ...(s.kind === 'file' && s.folder ? { folder: resolve(base, s.folder) } : {}),
      timeoutMs: s.timeoutMs ?? DEFAULT_TIMEOUT_MS[s.kind],
      maxAttempts: s.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    };
    if (s.kind === 'http' && s.tokenEnv) {
      const token = env[s.tokenEnv];
      if (!token) problems.push(`数据源 ${source} 的令牌环境变量 ${s.tokenEnv} 未设置`);
      else settings.tokens[source] = token;
    }
  }
  if (problems.length > 0) throw new Error(`核对数据源设置有误：${problems.join('；')}`);
  return settings;
}

/** The adapter of every local source, as the settings say. `db` is read by the simulated sources only. */
export function buildAdapters(settings: SourceSettings, db: Db): Map<SourceCode, SourceAdapter> {
  const adapters = new Map<SourceCode, SourceAdapter>();
  const reads = new SimulatedReads(db);
  for (const source of LOCAL_SOURCE_CODES) {
    const s = settings.sources[source];
    const limits = { timeoutMs: s.timeoutMs, maxAttempts: s.maxAttempts };
    if (s.kind === 'simulated')
      adapters.set(source, new SimulatedSource(source, db, limits, undefined, reads));
    else if (s.kind === 'file') {
      const folder = s.folder ?? join(settings.exchangeRoot, source);
      adapters.set(source, new FileExchangeSource(source, folder, limits));
    } else {
      adapters.set(
        source,
        new HttpSource(source, { endpoint: s.endpoint, token: settings.tokens[source], ...limits }),
      );
    }
  }
  return adapters;
}
