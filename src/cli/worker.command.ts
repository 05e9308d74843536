import type { Command } from 'commander';
import { openStore } from '../db/store.ts';
import { attachParametersInForce } from '../parameter-changes/parameters-in-force.ts';
import { startJobs } from '../jobs/jobs.process.ts';
import { CliError, cliConfig } from './context.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      '任务执行进程：在 PostgreSQL 上与服务并行运行导入、定时任务等，可开多个 (run jobs beside the server)',
    )
    .action(async () => {
      const config = cliConfig();
      if (!config.DATABASE_URL) {
        throw new CliError(
          'worker 需要 PostgreSQL（设置 DATABASE_URL）：内置数据库的任务由服务进程自己运行；服务停止时可用 jobs run 运行排队的任务',
        );
      }
      const store = await openStore(config);
      try {
        await store.migrate();
        await attachParametersInForce(store);
        const jobs = await startJobs(store, config, say, { runJobs: true });
        say(`任务执行进程已启动（${jobs.runner?.owner ?? ''}）：按 Ctrl-C 停止`);
        await new Promise<void>((resolve) => {
          const stop = (signal: string) => {
            say(`收到 ${signal}，完成当前批次后停止……`);
            void jobs.stop().then(resolve);
          };
          process.once('SIGINT', () => stop('SIGINT'));
          process.once('SIGTERM', () => stop('SIGTERM'));
        });
      } finally {
        await store.close();
      }
    });
}
