import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { OPERATOR } from '../auth/roles.ts';
import { ALL, CITY_DIVISION_CODE, divisionScope } from '../auth/scope.ts';
import { findUserByUsername } from '../auth/user.repository.ts';
import { shanghaiMonth } from '../core/clock.ts';
import type { Store } from '../db/store.ts';
import { getJob } from '../jobs/jobs.repository.ts';
import { jobKinds } from '../jobs/kinds/index.ts';
import { JobRunner } from '../jobs/runner.ts';
import { PayrollError } from '../payroll/payroll.errors.ts';
import type { RunUserAction } from '../payroll/runs/run.machine.ts';
import { getRun } from '../payroll/runs/runs.read.ts';
import { findRunById } from '../payroll/runs/runs.repository.ts';
import { actOnRun, startRun, type PayrollCaller } from '../payroll/runs/runs.service.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import { WorkflowError } from '../workflow/workflow.errors.ts';
import { CliError, withStore } from './context.ts';
import { formatTable } from './table.ts';

/**
 * `minzheng payroll run|show|check|approve|cancel` (docs/cli.md, docs/payroll.md 批次): a month's run at the
 * terminal. The operator acts for the city with every permission; `--as <username>` acts as that user (their
 * role, district and id — what maker ≠ checker ≠ approver compares). H3's `payroll export|reconcile` and
 * H6's recipient import join the same `payroll` command.
 */

const out = (text: string) => process.stdout.write(text);
const yuan = (fen: number) =>
  `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100).toLocaleString('en-US')}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;

interface Acting {
  caller: PayrollCaller;
  actor: (reason: string) => ActingContext;
}

async function actingAs(store: Store, as: string | undefined): Promise<Acting> {
  if (as === undefined) {
    const userId = `cli:${userInfo().username}`;
    return {
      caller: { scope: ALL, role: OPERATOR, userId },
      actor: (reason) => ({ userId, divisionCode: null, reason }),
    };
  }
  const user = await findUserByUsername(store.db, as);
  if (!user || user.disabled) throw new CliError(`用户不存在或已停用：${as}`);
  return {
    caller: {
      scope: user.divisionCode === CITY_DIVISION_CODE ? ALL : divisionScope(user.divisionCode),
      role: user.role,
      userId: user.id,
    },
    actor: (reason) => ({ userId: user.id, divisionCode: user.divisionCode, reason }),
  };
}

function fail(error: unknown): never {
  if (error instanceof PayrollError || error instanceof WorkflowError) throw new CliError(error.message);
  throw error;
}

async function runOf(store: Store, id: string) {
  const run = await findRunById(store.db, id.trim());
  if (!run) throw new CliError(`没有编号为 ${id} 的发放批次`);
  return run;
}

async function waitForJob(store: Store, jobId: string): Promise<string> {
  for (;;) {
    const job = await getJob(store.db, jobId);
    if (!job) return 'missing';
    if (['succeeded', 'failed', 'cancelled'].includes(job.state)) return job.state;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export function registerPayrollCommands(program: Command): void {
  const payroll =
    program.commands.find((c) => c.name() === 'payroll') ??
    program.command('payroll').description('资金统发：发放批次、银行文件与对账 (payroll)');

  payroll
    .command('run')
    .description('发起一个月的发放批次并提交计算任务（内置数据库上 --wait 在本进程中计算） (start a run)')
    .option('--month <YYYY-MM>', '发放月份，默认本月（上海）')
    .option('--district <code>', '区代码（以操作员身份时必填，除非只有一个区）')
    .option('--as <username>', '以该用户（财务人员）的身份操作')
    .option('--reason <text>', '原因，记入审计日志', '发起发放（命令行）')
    .option('--wait', '等待计算完成（内置数据库：在本进程中运行计算任务）')
    .action(
      async (opts: { month?: string; district?: string; as?: string; reason: string; wait?: boolean }) => {
        const month = opts.month ?? shanghaiMonth();
        await withStore(async (store, config) => {
          const acting = await actingAs(store, opts.as);
          const districtCode =
            opts.district ??
            (acting.caller.scope.kind === 'division'
              ? acting.caller.scope.code.slice(0, 6)
              : config.MINZHENG_DEMO_DISTRICT);
          const { run, jobId } = await inUnitOfWork(store, acting.actor(opts.reason), (tx) =>
            startRun(tx, acting.caller, { districtCode, month }),
          ).catch(fail);
          out(`已发起 ${districtCode} ${month} 发放批次 ${run.id}（计算中），计算任务 ${jobId}\n`);
          if (!opts.wait) return;
          if (store.kind === 'pglite') {
            const runner = new JobRunner({
              store,
              config,
              kinds: jobKinds(),
              schedules: false,
              say: (l) => out(`${l}\n`),
            });
            await runner.runUntilIdle();
          }
          const state = await waitForJob(store, jobId);
          const after = await findRunById(store.db, run.id);
          out(`计算任务：${state}；批次状态：${after?.state ?? '—'}\n`);
          if (state !== 'succeeded') process.exitCode = 1;
        });
      },
    );

  payroll
    .command('show')
    .description('发放批次：状态、制单/复核/审批人、按项目与状态的汇总 (show a run)')
    .argument('<run>', '发放批次编号')
    .option('--json', '以 JSON 输出 (JSON output)')
    .action(async (id: string, opts: { json?: boolean }) => {
      const view = await withStore(async (store) => {
        const run = await runOf(store, id);
        const { caller } = await actingAs(store, undefined);
        return getRun(store.db, caller, { districtCode: run.districtCode, runId: run.id }).catch(fail);
      });
      if (opts.json) {
        out(`${JSON.stringify(view, null, 2)}\n`);
        return;
      }
      out(
        [
          `发放批次：${view.id}（${view.districtCode} ${view.month}，${view.stateName}，版本 ${view.version}）`,
          `制单：${view.preparedBy.name}；复核：${view.checkedBy?.name ?? '—'}；审批：${view.approvedBy?.name ?? '—'}`,
          '',
        ].join('\n'),
      );
      const rows = view.totals.flatMap((t) =>
        t.byState.map((s) => [
          t.programName,
          s.stateName,
          s.lines.toLocaleString('en-US'),
          yuan(s.amountFen),
        ]),
      );
      out(
        rows.length === 0 ? '暂无明细\n' : `${formatTable(['项目', '状态', '人次', '金额（元）'], rows)}\n`,
      );
      const lines = view.totals.reduce((s, t) => s + t.lines, 0);
      const fen = view.totals.reduce((s, t) => s + t.amountFen, 0);
      out(`应发合计：${lines.toLocaleString('en-US')} 人次，${yuan(fen)} 元\n`);
    });

  const act = (action: RunUserAction, label: string, who: string) =>
    payroll
      .command(action)
      .description(`${label}发放批次 (${action} a run)`)
      .argument('<run>', '发放批次编号')
      .option('--as <username>', `以该用户（${who}）的身份操作`)
      .option('--reason <text>', '原因，记入审计日志', `${label}（命令行）`)
      .action(async (id: string, opts: { as?: string; reason: string }) => {
        const run = await withStore(async (store) => {
          const found = await runOf(store, id);
          const acting = await actingAs(store, opts.as);
          return inUnitOfWork(store, acting.actor(opts.reason), (tx) =>
            actOnRun(tx, acting.caller, {
              districtCode: found.districtCode,
              runId: found.id,
              action,
              version: found.version,
            }),
          ).catch(fail);
        });
        out(`发放批次 ${run.id}：${label}完成（状态 ${run.state}，版本 ${run.version}）\n`);
      });
  act('check', '复核', '财务人员，非制单人');
  act('approve', '审批', '区审批人，非制单人与复核人');
  act('cancel', '撤销', '财务人员');
}
