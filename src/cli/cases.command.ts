import type { Command } from 'commander';
import { OPERATOR } from '../auth/roles.ts';
import { ALL } from '../auth/scope.ts';
import { shanghaiToday } from '../core/clock.ts';
import type { CaseCaller } from '../cases/case.deps.ts';
import { findCaseByNoOrId, getCase, listCases } from '../cases/case.service.ts';
import { CASE_STATES, type CaseState } from '../cases/cases.machine.ts';
import { CasesError } from '../cases/cases.errors.ts';
import { WorkflowError } from '../workflow/workflow.errors.ts';
import { CliError, withStore } from './context.ts';
import { formatTable } from './table.ts';

/** `minzheng cases …`: 救助申请 at the terminal (docs/cli.md), read-only: the queue and one case. */

const OPERATOR_CALLER: CaseCaller = { scope: ALL, role: OPERATOR, userId: null };

function fail(error: unknown): never {
  if (error instanceof CasesError) throw new CliError(error.message);
  if (error instanceof WorkflowError) throw new CliError(error.message);
  throw error;
}

export function registerCasesCommands(program: Command): void {
  const cases = program.command('cases').description('社会救助一件事：救助申请 (social assistance cases)');
  cases
    .command('list')
    .description('救助申请列表，按办理期限排序 (cases by due date)')
    .option('--state <state>', `状态：${CASE_STATES.join('、')}`)
    .option('--overdue', '只列逾期未办结的 (overdue only)')
    .option('--limit <n>', '最多列出几件 (how many)', '50')
    .option('--json', '以 JSON 输出 (JSON output)')
    .action(async (opts: { state?: string; overdue?: boolean; limit: string; json?: boolean }) => {
      if (opts.state !== undefined && !(CASE_STATES as readonly string[]).includes(opts.state)) {
        throw new CliError(`状态「${opts.state}」不存在，可用：${CASE_STATES.join('、')}`);
      }
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new CliError('--limit 应为 1–1000 的整数');
      const today = shanghaiToday();
      const page = await withStore((store) =>
        listCases(
          store.db,
          OPERATOR_CALLER,
          {
            state: opts.state as CaseState | undefined,
            overdueOn: opts.overdue ? today : undefined,
            limit,
            offset: 0,
          },
          today,
        ).catch(fail),
      );
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
        return;
      }
      const rows = page.items.map((c) => [
        c.caseNo,
        c.stateName,
        c.programs.join('、'),
        c.householdNo ?? '',
        c.dueOn ?? '',
        c.overdue ? '逾期' : '',
      ]);
      process.stdout.write(
        `${formatTable(['申请编号', '状态', '项目', '户编号', '办理期限', '提示'], rows)}\n`,
      );
      process.stderr.write(
        `${page.totalExact ? '共' : '超过'} ${page.total} 件，列出 ${page.items.length} 件\n`,
      );
    });
  cases
    .command('show')
    .argument('<id>', '申请编号（SA310110-2026-000123）或 ID (case code or id)')
    .description('救助申请详情：环节、期限与办理过程 (show a case)')
    .option('--json', '以 JSON 输出 (JSON output)')
    .action(async (key: string, opts: { json?: boolean }) => {
      const view = await withStore(async (store) => {
        const row = await findCaseByNoOrId(store.db, OPERATOR_CALLER, key.trim());
        if (!row) throw new CliError(`救助申请不存在：${key}`);
        return getCase(store.db, OPERATOR_CALLER, row).catch(fail);
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
        return;
      }
      const lines = [
        `申请编号：${view.caseNo}（${view.stateName}）`,
        `申请项目：${view.programs.join('、')}；申请日期 ${view.appliedOn}；渠道 ${view.channel === 'online' ? '网上申请' : '窗口受理'}`,
        `户编号：${view.householdNo ?? view.householdId}`,
        `办理环节：${view.stepNames.length > 0 ? view.stepNames.join(' → ') : '受理后确定'}`,
        `办理期限：${view.dueOn ?? '—'}${view.overdue ? '（已逾期）' : ''}`,
        ...(view.relativesFlagged
          ? [`近亲属提示：须备案并由两名审批人审批${view.relativesDeclared ? '（已备案）' : ''}`]
          : []),
        ...(view.reason ? [`理由：${view.reason}`] : []),
        '办理过程：',
        ...view.timeline.map(
          (e) => `  ${e.at.slice(0, 16).replace('T', ' ')}  ${e.actionLabel}  ${e.reason}`,
        ),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
