import type { Command } from 'commander';
import { OPERATOR } from '../auth/roles.ts';
import { ALL } from '../auth/scope.ts';
import { ControlError } from '../controls/controls.errors.ts';
import { listFindingViews, type FindingsCaller } from '../controls/controls.service.ts';
import { RULE_CODES } from '../controls/rules/index.ts';
import { CliError, withStore } from './context.ts';
import { formatTable } from './table.ts';

/** `minzheng findings list`: 内控发现 at the terminal (docs/controls.md), read-only. */

const OPERATOR_CALLER: FindingsCaller = { scope: ALL, role: OPERATOR, userId: null };
const STATES = ['open', 'resolved', 'dismissed'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ListOptions {
  run?: string;
  state?: string;
  rule?: string;
  blocking?: boolean;
  overdue?: boolean;
  limit: string;
  json?: boolean;
}

export function registerFindingsCommands(program: Command): void {
  const findings = program.command('findings').description('内控发现 (internal-control findings)');
  findings
    .command('list')
    .description('内控发现列表：待处理、阻断类在前，按处理期限排序 (findings)')
    .option('--run <id>', '发放批次编号 (payroll run id)')
    .option('--state <state>', `状态：${STATES.join('、')}`)
    .option('--rule <code>', `规则：${RULE_CODES.join('、')}`)
    .option('--blocking', '只列阻断类 (blocking only)')
    .option('--overdue', '只列逾期未处理的 (overdue only)')
    .option('--limit <n>', '最多列出几条 (how many)', '50')
    .option('--json', '以 JSON 输出 (JSON output)')
    .action(async (opts: ListOptions) => {
      if (opts.state !== undefined && !(STATES as readonly string[]).includes(opts.state)) {
        throw new CliError(`状态「${opts.state}」不存在，可用：${STATES.join('、')}`);
      }
      if (opts.rule !== undefined && !RULE_CODES.includes(opts.rule)) {
        throw new CliError(`规则「${opts.rule}」不存在，可用：${RULE_CODES.join('、')}`);
      }
      if (opts.run !== undefined && !UUID.test(opts.run))
        throw new CliError('--run 应为发放批次编号（UUID）');
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new CliError('--limit 应为 1–1000 的整数');
      const page = await withStore((store) =>
        listFindingViews(store.db, OPERATOR_CALLER, {
          runId: opts.run,
          state: opts.state as (typeof STATES)[number] | undefined,
          rule: opts.rule,
          severity: opts.blocking ? 'blocking' : undefined,
          overdue: opts.overdue,
          limit,
        }).catch((error: unknown) => {
          if (error instanceof ControlError) throw new CliError(error.message);
          throw error;
        }),
      );
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
        return;
      }
      const rows = page.items.map((f) => [
        f.severityName,
        f.ruleName,
        f.stateName,
        f.month ?? '',
        f.dueOn + (f.overdue ? '（逾期）' : ''),
        f.ownerName ?? '',
        f.description,
      ]);
      process.stdout.write(
        `${formatTable(['级别', '规则', '状态', '月份', '处理期限', '责任人', '情况'], rows)}\n`,
      );
      process.stderr.write(`共 ${page.total} 条，列出 ${page.items.length} 条\n`);
    });
}
