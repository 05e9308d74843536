import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { ALL } from '../auth/scope.ts';
import { OPERATOR } from '../auth/roles.ts';
import { importReturnFile } from '../payroll/bank/bank.edge.ts';
import { BankError } from '../payroll/bank/bank.errors.ts';
import { districtOfRun } from '../payroll/bank/bank.repository.ts';
import { exportBankFile, type BankCaller } from '../payroll/bank/bank.service.ts';
import { yuanText } from '../payroll/bank/voucher.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { CliError, withStore } from './context.ts';

/**
 * 银行文件与对账 on the command line: `payroll export RUN --bank CODE --out FILE [--layout csv|fixed]` writes
 * one bank's payment file (audited; the first export marks the run exported) and `payroll reconcile RUN FILE`
 * imports the bank's return file (refused whole, with each row's problem, when anything is wrong). The
 * operator acts for the city; the audit names `cli:<user>`.
 */

const CALLER: BankCaller = { scope: ALL, role: OPERATOR, userId: null };
const actor = (reason: string) => ({ userId: `cli:${userInfo().username}`, divisionCode: null, reason });

async function runDistrict(db: Parameters<typeof districtOfRun>[0], runId: string): Promise<string> {
  const district = await districtOfRun(db, runId);
  if (!district) throw new CliError(`没有编号为 ${runId} 的发放批次`);
  return district;
}

/** Adds `export` and `reconcile` to the `payroll` command (made here when the runs' module has not). */
export function registerPayrollBankCommands(program: Command): void {
  const payroll =
    program.commands.find((c) => c.name() === 'payroll') ??
    program.command('payroll').description('资金统发：发放批次、银行文件与对账 (payroll)');

  payroll
    .command('export')
    .description('导出一家银行的代发文件（已审批或已导出的批次；记入审计日志）(write a bank payment file)')
    .argument('<run>', '发放批次编号')
    .requiredOption('--bank <code>', '银行代码，如 SRCB、ICBC')
    .requiredOption('--out <file>', '输出文件')
    .option('--layout <layout>', '格式：csv（UTF-8）或 fixed（GBK 定长）', 'csv')
    .action(async (runId: string, opts: { bank: string; out: string; layout: string }) => {
      if (opts.layout !== 'csv' && opts.layout !== 'fixed') throw new CliError('格式只能是 csv 或 fixed');
      const layout = opts.layout;
      const out = await withStore(async (store) => {
        const districtCode = await runDistrict(store.db, runId);
        return inUnitOfWork(store, actor('导出银行代发文件（命令行）'), (tx) =>
          exportBankFile(tx, CALLER, { districtCode, runId, bankCode: opts.bank.toUpperCase(), layout }),
        ).catch((e: unknown) => {
          throw e instanceof BankError ? new CliError(e.message) : e;
        });
      });
      writeFileSync(opts.out, out.bytes);
      process.stdout.write(
        `已写入 ${opts.out}：${out.count} 笔，合计 ${yuanText(out.totalFen)} 元（${out.totalFen} 分），SHA-256 ${out.digest}\n`,
      );
    });

  payroll
    .command('reconcile')
    .description('导入银行回盘文件并对账（有任何问题则整份拒绝，不作修改）(import a bank return file)')
    .argument('<run>', '发放批次编号')
    .argument('<file>', '回盘文件（CSV）')
    .action(async (runId: string, file: string) => {
      const bytes = readFileSync(file);
      const result = await withStore(async (store) => {
        const districtCode = await runDistrict(store.db, runId);
        return importReturnFile(store, actor(`导入银行回盘文件（命令行）：${basename(file)}`), CALLER, {
          districtCode,
          runId,
          fileName: basename(file),
          bytes,
        }).catch((e: unknown) => {
          if (e instanceof BankError) {
            const rows = e.rows.map((r) => `  ${r.row === 0 ? '文件' : `第 ${r.row} 行`}：${r.message}`);
            throw new CliError([e.message, ...rows].join('\n'));
          }
          throw e;
        });
      });
      const r = result.reconciliation;
      process.stdout.write(
        [
          `已导入：成功 ${result.paidCount} 笔 ${yuanText(result.paidFen)} 元，失败 ${result.failedCount} 笔 ${yuanText(result.failedFen)} 元${result.closed ? '；批次已办结' : ''}`,
          `对账：已发送 ${r.sentCount} 笔 ${yuanText(r.sentFen)} 元 = 成功 ${yuanText(r.paidFen)} + 失败 ${yuanText(r.failedFen)} + 待回盘 ${yuanText(r.outstandingFen)}；差额 ${yuanText(r.differenceFen)} 元；分类账差额 ${yuanText(r.ledgerDifferenceFen)} 元${r.reconciled ? '（平衡）' : '（不平衡）'}${r.unsentCount > 0 ? `；未能发送（无可用收款账户，下月重发）${r.unsentCount} 笔 ${yuanText(r.unsentFen)} 元` : ''}`,
        ].join('\n') + '\n',
      );
    });
}
