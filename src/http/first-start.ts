import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureInitialUsers, type InitialAccount } from '../auth/bootstrap.service.ts';
import type { Config } from '../config.ts';
import { migrationSummary, type Store } from '../db/store.ts';
import { ALL } from '../auth/scope.ts';
import { seedDemoCases } from '../demo/demo-cases.ts';
import { seedDemoPopulation } from '../demo/demo.service.ts';
import { sweepUploads, uploadFolder } from '../registry/import/upload-folder.ts';
import { searchHouseholds, seedDivisions } from '../registry/registry.service.ts';

/** Progress lines in Chinese for the operator (stdout of `serve`); never personal data. */
export type Say = (line: string) => void;

export interface PreparedInstance {
  /** Accounts created by this start, with their one-time passwords (empty after the first start). */
  accounts: InitialAccount[];
}

/**
 * Everything `serve` does before listening, safe to re-run on every start: migrations, the sweep of
 * leftover uploads, the divisions, the demo population (demo mode, empty registry only), the first
 * accounts (no users only) and, after a demo population was loaded, the demo's cases and advisers' records
 * (`demoCases: false` leaves them out: the browser tests start from a registry without cases).
 */
export async function prepareInstance(
  store: Store,
  config: Config,
  say: Say,
  options: { demoCases?: boolean } = {},
): Promise<PreparedInstance> {
  say(
    `数据库：${store.kind === 'pglite' ? `内置 PGlite（${resolve(config.MINZHENG_DATA_DIR)}）` : 'PostgreSQL'}`,
  );
  say(migrationSummary(await store.migrate(), store.kind));
  // Uploads a killed process left behind hold full ID numbers: they go before anyone can upload again.
  const swept = await sweepUploads(uploadFolder(config.MINZHENG_DATA_DIR));
  if (swept > 0) say(`已删除上次异常退出时遗留的上传临时文件 ${swept} 个`);
  const divisions = await seedDivisions(store);
  say(divisions.skipped ? `行政区划已就绪（${divisions.rows} 条）` : `已载入行政区划 ${divisions.rows} 条`);
  const loaded = config.MINZHENG_DEMO === 'true' && (await seedDemo(store, config, say));
  const accounts = await ensureInitialUsers(store, {
    district: config.MINZHENG_DEMO_DISTRICT,
    demo: config.MINZHENG_DEMO === 'true',
  });
  if (loaded && options.demoCases !== false) accounts.push(...(await seedCases(store, config, say)));
  return { accounts };
}

/** The demo's 救助申请, 待遇 and advisers' records (src/demo/demo-cases.ts); returns the accounts it added. */
async function seedCases(store: Store, config: Config, say: Say): Promise<InitialAccount[]> {
  say('正在生成演示救助申请、待遇与救助顾问记录……');
  const started = Date.now();
  const result = await seedDemoCases(store, {
    district: config.MINZHENG_DEMO_DISTRICT,
    dataDir: config.MINZHENG_DATA_DIR,
  });
  if (result.status === 'skipped') return [];
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  say(`演示救助申请已生成：${result.cases} 件，救助顾问跟进 ${result.adviserHouseholds} 户（${seconds} 秒）`);
  return result.accounts;
}

/** The seed of the demo population: fixed, so every fresh installation shows the same people. */
export const DEMO_SEED = 'minzheng-demo';

/**
 * Demo mode on an empty registry: the synthetic population of the demo district, loaded with COPY.
 * Returns whether it loaded one.
 */
async function seedDemo(store: Store, config: Config, say: Say): Promise<boolean> {
  const existing = await searchHouseholds(store.db, ALL, { limit: 1 });
  if (existing.total > 0 || config.MINZHENG_DEMO_PERSONS === 0) return false;
  const district = config.MINZHENG_DEMO_DISTRICT;
  say(`正在生成演示人口：${district}，${config.MINZHENG_DEMO_PERSONS} 人（合成数据，非真实个人信息）……`);
  const started = Date.now();
  // One unit of work: the population and its one audit record (demo.seeded) commit together.
  const result = await seedDemoPopulation(store, {
    district,
    persons: config.MINZHENG_DEMO_PERSONS,
    seed: DEMO_SEED,
    actor: { userId: null, divisionCode: district, requestId: 'first-start', reason: '首次启动生成演示数据' },
  });
  if (result.status === 'skipped') return false;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  say(`演示人口已生成：${result.households} 户 ${result.persons} 人（${seconds} 秒）`);
  return true;
}

/** Prints the one-time passwords: to the terminal only, once; the logger never sees them. */
export function printAccounts(accounts: readonly InitialAccount[], write: (text: string) => void): void {
  if (accounts.length === 0) return;
  const lines = [
    '',
    '══════════ 初始账号（密码只显示这一次，请妥善保存；标“须改密”的账号首次登录须修改密码）══════════',
    ...accounts.map(
      (a) =>
        `  ${a.username.padEnd(12)} ${a.password}   ${a.displayName}（${a.role}，区划 ${a.divisionCode}）${a.mustChangePassword ? '  须改密' : ''}`,
    ),
    '═══════════════════════════════════════════════════════════════════════════════',
    '',
  ];
  write(lines.join('\n'));
}

/** The console's build command; web/package scripts use the same (npm run build:console). */
export const CONSOLE_BUILD_ARGS = ['vite', 'build', '--config', 'web/vite.config.ts'] as const;

/**
 * Builds the console when web/dist is missing and its sources are present (a fresh clone): `npm start`
 * then serves the console without a separate build step.
 */
export async function ensureConsoleBuilt(
  webDist: string,
  say: Say,
): Promise<'present' | 'built' | 'no-sources' | 'elsewhere'> {
  if (existsSync(resolve(webDist, 'index.html'))) return 'present';
  // The build writes web/dist; a console configured elsewhere is the operator's to provide.
  if (resolve(webDist) !== resolve('web/dist')) return 'elsewhere';
  if (!existsSync(resolve('web/index.html')) || !existsSync(resolve('web/vite.config.ts')))
    return 'no-sources';
  say('正在构建管理控制台（首次启动，约需 1 分钟）……');
  await new Promise<void>((done, fail) => {
    const child = spawn('npx', [...CONSOLE_BUILD_ARGS], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`控制台构建失败（退出码 ${code}）`))));
  });
  say('管理控制台构建完成');
  return 'built';
}
