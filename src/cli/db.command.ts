import type { Command } from 'commander';
import { withStore } from './context.ts';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('数据库管理 (database)');
  db.command('migrate')
    .description('执行数据库迁移，使库结构与本版本一致 (apply migrations)')
    .action(async () => {
      const kind = await withStore((store) => Promise.resolve(store.kind));
      process.stdout.write(`数据库结构已是最新（${kind === 'pglite' ? '内置 PGlite' : 'PostgreSQL'}）\n`);
    });
}
