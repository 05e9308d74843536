import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { ALL, divisionScope, type DataScope } from '../auth/scope.ts';
import { exportHouseholds } from '../registry/export/export.service.ts';
import {
  readImport,
  writeImport,
  type ImportProgress,
  type ImportReport,
} from '../registry/import/import.service.ts';
import { importLimits } from '../registry/import/limits.ts';
import { writeTemplates } from '../registry/import/template.ts';
import { sweepUploads, uploadFolder } from '../registry/import/upload-folder.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { CliError, withStore } from './context.ts';
import { progressBar } from './progress.ts';
import { formatTable } from './registry.command.ts';

const PHASES: Record<ImportProgress['phase'], string> = {
  read: '读取校验',
  check: '查重',
  write: '写入',
  done: '完成',
};

function scopeOf(division: string | undefined): DataScope {
  if (division === undefined) return ALL;
  try {
    return divisionScope(division);
  } catch {
    throw new CliError(`--division 应为6、9或12位区划代码：${division}`);
  }
}

function actor(reason: string, division: string | undefined) {
  return { userId: `cli:${userInfo().username}`, divisionCode: division ?? null, reason };
}

const n = (count: number) => count.toLocaleString('en-US');

export function renderImportReport(report: ImportReport): string {
  if (report.ok) {
    return report.dryRun
      ? `校验通过（试运行，未写入）：共 ${n(report.rows)} 行，将导入 ${n(report.households)} 户、${n(report.persons)} 人\n`
      : `导入完成：共 ${n(report.rows)} 行，已导入 ${n(report.households)} 户、${n(report.persons)} 人\n`;
  }
  const table = formatTable(
    ['行', '列', '值', '原因'],
    report.errors.map((e) => [
      e.row === null ? '-' : String(e.row),
      e.column ?? '-',
      e.value ?? '',
      e.reason,
    ]),
  );
  const more =
    report.errorCount > report.errors.length
      ? `\n（仅列出前 ${n(report.errors.length)} 处，共 ${n(report.errorCount)} 处）`
      : '';
  return `导入失败：发现 ${n(report.errorCount)} 处错误，未写入任何数据${report.dryRun ? '（试运行）' : ''}\n${table}${more}\n`;
}

interface ImportOptions {
  dryRun?: boolean;
  division?: string;
  reason: string;
}

interface ExportOptions {
  division?: string;
  name?: string;
  household?: string[];
  out: string;
  unmask?: boolean;
  reason?: string;
}

export function registerImportExportCommands(program: Command): void {
  const importCommand = program.command('import').description('台账导入 (import)');
  importCommand
    .command('template')
    .description('生成台账模板 household-roster.xlsx / .csv (write the roster templates)')
    .option('--out <dir>', '输出目录 (output folder)', 'templates')
    .action(async (opts: { out: string }) => {
      await mkdir(opts.out, { recursive: true });
      const files = await writeTemplates(opts.out);
      process.stdout.write(`已生成模板：${files.join('、')}\n`);
    });
  importCommand
    .command('households')
    .description(
      '导入户籍台账 .xlsx/.csv：每行一人，按户编号分户；有任何错误则不写入 (import a household roster)',
    )
    .argument('<file>', '台账文件 (.xlsx or .csv)')
    .option('--dry-run', '只校验不写入 (validate only)')
    .option('--division <code>', '数据范围：区/街道/居委会代码 (data scope)')
    .option('--reason <text>', '导入原因，记入审计日志 (reason, audited)', '命令行导入台账')
    .action(async (file: string, opts: ImportOptions) => {
      const scope = scopeOf(opts.division);
      const acting = actor(opts.reason, opts.division);
      const report = await withStore(async (store, config) => {
        // What a killed server or import left in the upload folder holds ID numbers: gone first.
        await sweepUploads(uploadFolder(config.MINZHENG_DATA_DIR));
        const bar = progressBar('{phase} |{bar}| {percentage}% | {rows} 行');
        bar?.start(100, 0, { phase: PHASES.read, rows: 0 });
        try {
          // The file is read and checked first, outside any transaction; then this command's unit of work.
          const read = await readImport(file, {
            scope,
            actor: acting,
            dryRun: opts.dryRun ?? false,
            limits: importLimits(config),
            onProgress: (p) => {
              const percent =
                p.phase === 'read' ? Math.floor((90 * p.bytesRead) / Math.max(1, p.totalBytes)) : 95;
              bar?.update(p.phase === 'done' ? 100 : percent, { phase: PHASES[p.phase], rows: p.rows });
            },
          });
          try {
            return read.refused ?? (await inUnitOfWork(store, acting, (tx) => writeImport(tx, read)));
          } finally {
            await read.dispose();
          }
        } finally {
          bar?.stop();
        }
      });
      process.stdout.write(renderImportReport(report));
      if (!report.ok) process.exitCode = 1;
    });

  program
    .command('export')
    .description('台账导出 (export)')
    .command('households')
    .description(
      '导出户籍台账为 .xlsx 或 .csv（与导入格式相同，按 --out 的扩展名）；身份证号和电话默认脱敏 (export a household roster)',
    )
    .option('--division <code>', '区/街道/居委会代码 (division filter)')
    .option('--name <text>', '成员姓名或拼音首字母前缀 (member name or initials)')
    .option('--household <no...>', '户编号，可多个 (household numbers)')
    .requiredOption('--out <file>', '输出文件 .xlsx 或 .csv (output file)')
    .option('--unmask', '导出完整身份证号和电话（须 --reason，记入审计日志） (full ID numbers)')
    .option('--reason <text>', '导出原因 (reason, audited)')
    .action(async (opts: ExportOptions) => {
      const format = /\.(xlsx|csv)$/i.exec(opts.out)?.[1]?.toLowerCase();
      if (format !== 'xlsx' && format !== 'csv') throw new CliError('--out 须为 .xlsx 或 .csv 文件');
      const reason = opts.reason?.trim() ?? '';
      if (opts.unmask && reason === '') {
        throw new CliError('--unmask 是管理操作，须用 --reason 说明原因（将记入审计日志）');
      }
      if (opts.division !== undefined) scopeOf(opts.division);
      // Written beside the target and renamed at the end: a failed export leaves no half file behind.
      const partial = `${opts.out}.part`;
      const out = await openOutput(opts.out, partial);
      const result = await withStore(async (store) => {
        const bar = progressBar('导出中 {value} 户');
        bar?.start(Number.MAX_SAFE_INTEGER, 0);
        // A write error (disk full) rejects here instead of going unhandled on the stream.
        const failed = new Promise<never>((_, reject) => out.once('error', reject));
        failed.catch(() => undefined);
        try {
          const exporting = exportHouseholds(
            store,
            {
              ...(opts.division ? { divisionCode: opts.division } : {}),
              ...(opts.name ? { name: opts.name } : {}),
              ...(opts.household ? { householdNos: opts.household } : {}),
            },
            {
              scope: ALL,
              unmask: opts.unmask ?? false,
              format,
              actor: actor(reason === '' ? '命令行导出台账' : reason, undefined),
              onProgress: (households) => bar?.update(households),
            },
            out,
          );
          const written = await Promise.race([exporting, failed]);
          await finished(out);
          await rename(partial, opts.out);
          return written;
        } catch (error) {
          throw hasErrno(error) ? new CliError(writeProblem(error, opts.out)) : error;
        } finally {
          bar?.stop();
        }
      }).finally(async () => {
        out.destroy();
        await rm(partial, { force: true });
      });
      process.stdout.write(
        `导出完成：${result.households} 户、${result.persons} 人 → ${opts.out}` +
          `（身份证号和电话${result.masked ? '已脱敏' : '为完整号码，请妥善保管'}）\n`,
      );
    });
}

function hasErrno(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

const WRITE_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: '所在的文件夹不存在',
  ENOTDIR: '路径中有一段不是文件夹',
  EISDIR: '这是一个文件夹',
  EACCES: '没有写入权限',
  EPERM: '没有写入权限',
  EROFS: '文件系统是只读的',
  ENOSPC: '磁盘空间不足',
  EDQUOT: '磁盘空间不足',
};

/** Why the export file cannot be written, in one Chinese line (never ENOENT and the .part path). */
export function writeProblem(error: NodeJS.ErrnoException, out: string): string {
  const why = WRITE_PROBLEMS[error.code ?? ''];
  return why ? `无法写入 ${out}：${why}` : `无法写入 ${out}`;
}

/** The partial file, private (an unmasked export holds full ID numbers), opened before any work starts. */
async function openOutput(out: string, partial: string) {
  const target = await stat(out).catch(() => undefined);
  if (target?.isDirectory())
    throw new CliError(writeProblem({ name: 'Error', message: '', code: 'EISDIR' }, out));
  try {
    const handle = await open(partial, 'w', 0o600);
    return handle.createWriteStream();
  } catch (error) {
    throw hasErrno(error) ? new CliError(writeProblem(error, out)) : error;
  }
}
