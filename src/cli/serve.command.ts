import type { Command } from 'commander';
import { openStore } from '../db/store.ts';
import { ensureConsoleBuilt, prepareInstance, printAccounts } from '../http/first-start.ts';
import { buildServer } from '../http/server.ts';
import { startJobs } from '../jobs/jobs.process.ts';
import { keepFiguresWarm } from '../registry/figures.cache.ts';
import { cliConfig } from './context.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description(
      '启动平台：接口与管理控制台；首次启动自动建库、生成演示数据并创建初始账号 (start the server)',
    )
    .action(async () => {
      const config = cliConfig();
      const store = await openStore(config);
      let closing = false;
      try {
        const { accounts } = await prepareInstance(store, config, say);
        if (config.MINZHENG_BUILD_WEB === 'true') {
          try {
            const built = await ensureConsoleBuilt(config.MINZHENG_WEB_DIST, say);
            if (built === 'no-sources') say('未找到控制台源码，仅提供接口');
            if (built === 'elsewhere') say(`未找到 ${config.MINZHENG_WEB_DIST}/index.html，仅提供接口`);
          } catch (error) {
            // The API is still useful without the console; the start page says how to build it.
            say(`警告：${error instanceof Error ? error.message : String(error)}；先启动接口服务`);
          }
        }
        const app = await buildServer({ config, store });
        await app.listen({ port: config.PORT, host: config.HOST });
        printAccounts(accounts, (text) => process.stdout.write(text));
        const shown = config.HOST === '0.0.0.0' ? 'localhost' : config.HOST;
        say(`智慧民政已启动：http://${shown}:${config.PORT}/  （接口文档 /api/docs）`);
        // Jobs (imports, the audit checkpoint schedule): in this process on the embedded store, and on
        // PostgreSQL unless MINZHENG_JOBS_IN_SERVER=false leaves them to `minzheng worker` processes.
        const jobs = await startJobs(store, config, say, {
          runJobs: config.MINZHENG_JOBS_IN_SERVER === 'true',
        });
        const figures = keepFiguresWarm(store.db, (error) =>
          app.log.warn({ err: error }, '人口概况预计算失败'),
        );
        const shutdown = (signal: string) => {
          if (closing) return;
          closing = true;
          say(`收到 ${signal}，正在停止……`);
          figures.stop();
          void app
            .close()
            .then(() => jobs.stop())
            .then(() => store.close())
            .then(() => process.exit(0));
        };
        process.once('SIGINT', () => shutdown('SIGINT'));
        process.once('SIGTERM', () => shutdown('SIGTERM'));
      } catch (error) {
        await store.close();
        throw error;
      }
    });
}
