import type { Command } from 'commander';
import type { MigrationReport, StoreKind } from '../db/store.ts';
import { withOpenStore } from './context.ts';

/** What `db migrate` did, in one line: created, updated, or already current. */
export function migrationLine(report: MigrationReport, kind: StoreKind): string {
  const where = kind === 'pglite' ? '内置 PGlite' : 'PostgreSQL';
  if (report.applied === 0) return `数据库结构已是最新（${report.total} 个迁移；${where}）`;
  if (report.applied === report.total) {
    return `已创建数据库结构：执行 ${report.applied} 个迁移（${where}）`;
  }
  return `已更新数据库结构：执行 ${report.applied} 个新迁移，共 ${report.total} 个（${where}）`;
}

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('数据库管理 (database)');
  db.command('migrate')
    .description('执行数据库迁移，使库结构与本版本一致 (apply migrations)')
    .action(async () => {
      const line = await withOpenStore(async (store) => migrationLine(await store.migrate(), store.kind));
      process.stdout.write(`${line}\n`);
    });
}
