import type { Command } from 'commander';
import { migrationSummary } from '../db/store.ts';
import { withOpenStore } from './context.ts';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('数据库管理 (database)');
  db.command('migrate')
    .description('执行数据库迁移，使库结构与本版本一致 (apply migrations)')
    .action(async () => {
      const line = await withOpenStore(async (store) => migrationSummary(await store.migrate(), store.kind));
      process.stdout.write(`${line}\n`);
    });
}
