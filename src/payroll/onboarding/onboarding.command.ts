/**
 * `minzheng payroll import-recipients FILE [--check]` (docs/payroll-onboarding.md): the going-live import
 * from the command line, and `payroll recipients-template` for the template. The `payroll` command group
 * (src/cli/commands.ts) loads these beside the bank's (`registerRecipientImportCommands(program)`).
 */
import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { divisionScope } from '../../auth/scope.ts';
import { CliError, withStore } from '../../cli/context.ts';
import { formatTable } from '../../cli/registry.command.ts';
import { formatFen } from '../../registry/import/fields.ts';
import { importLimits } from '../../registry/import/limits.ts';
import { sweepUploads, uploadFolder } from '../../registry/import/upload-folder.ts';
import { importRecipients, type RecipientImportReport } from './onboarding.service.ts';
import { RECIPIENT_TEMPLATE_NAME, recipientTemplate } from './template.ts';

const n = (count: number) => count.toLocaleString('en-US');

export function renderRecipientReport(report: RecipientImportReport): string {
  if (report.ok) {
    const what = `${n(report.entitlements)} 项待遇、${n(report.payeeAccounts)} 个收款账户、${n(report.openingEntries)} 笔期初分类账（上线前已发放 ${formatFen(report.openingFen)} 元）`;
    return report.dryRun
      ? `校验通过（未写入）：共 ${n(report.rows)} 行，将导入 ${what}\n`
      : `导入完成：共 ${n(report.rows)} 行，已导入 ${what}\n`;
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
  return `导入失败：发现 ${n(report.errorCount)} 处错误，未写入任何数据${report.dryRun ? '（仅校验）' : ''}\n${table}${more}\n`;
}

interface ImportRecipientsOptions {
  check?: boolean;
  district: string;
  reason: string;
}

export function registerRecipientImportCommands(program: Command): void {
  const payroll =
    program.commands.find((c) => c.name() === 'payroll') ??
    program.command('payroll').description('资金统发：发放批次、银行文件与对账 (payroll)');
  payroll
    .command('recipients-template')
    .description('生成在保对象导入模板 .xlsx (write the going-live template)')
    .option('--out <file>', '输出文件 (output file)', RECIPIENT_TEMPLATE_NAME)
    .action(async (opts: { out: string }) => {
      await writeFile(opts.out, await recipientTemplate());
      process.stdout.write(`已生成模板：${opts.out}\n`);
    });
  payroll
    .command('import-recipients')
    .description(
      '上线导入在保对象：待遇、收款人与账户、已发放至月份（期初分类账）；有任何错误则不写入 (import current recipients)',
    )
    .argument('<file>', '在保对象文件 (.xlsx，按模板)')
    .requiredOption('--district <code>', '导入的区（6位区划代码）(district)')
    .option('--check', '只校验不写入 (check only)')
    .option('--reason <text>', '导入原因，记入审计日志 (reason, audited)', '命令行导入在保对象（系统上线）')
    .action(async (file: string, opts: ImportRecipientsOptions) => {
      if (!/^\d{6}$/.test(opts.district)) throw new CliError(`--district 应为6位区划代码：${opts.district}`);
      const report = await withStore(async (store, config) => {
        await sweepUploads(uploadFolder(config.MINZHENG_DATA_DIR));
        return importRecipients(store, file, {
          districtCode: opts.district,
          scope: divisionScope(opts.district),
          actor: { userId: `cli:${userInfo().username}`, divisionCode: opts.district, reason: opts.reason },
          dryRun: opts.check ?? false,
          limits: importLimits(config),
        });
      });
      process.stdout.write(renderRecipientReport(report));
      if (!report.ok) process.exitCode = 1;
    });
}
