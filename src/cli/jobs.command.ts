import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { jobKinds } from '../jobs/kinds/index.ts';
import { presentJob, shanghaiTime, type JobView } from '../jobs/jobs.present.ts';
import { cancelJob, listVisibleJobs, OPERATOR, showJob } from '../jobs/jobs.service.ts';
import { JobRunner } from '../jobs/runner.ts';
import {
  changeSchedule,
  presentSchedule,
  scheduleViews,
  type ScheduleChange,
} from '../jobs/schedules.service.ts';
import { JOB_STATES, type JobState } from '../jobs/schema.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { formatTable } from './table.ts';
import { CliError, withStore } from './context.ts';

const out = (text: string) => process.stdout.write(text);
const n = (value: number) => value.toLocaleString('en-US');

function progress(job: JobView): string {
  const total = job.total === null ? '?' : n(job.total);
  return `${n(job.done)}/${total}${job.percent === null ? '' : `（${job.percent}%）`}`;
}

function states(value: string | undefined): JobState[] | undefined {
  if (value === undefined) return undefined;
  const list = value.split(',').map((s) => s.trim());
  for (const state of list) {
    if (!(JOB_STATES as readonly string[]).includes(state)) {
      throw new CliError(`--state 只能是 ${JOB_STATES.join('、')}（可用逗号分隔多个）：${state}`);
    }
  }
  return list as JobState[];
}

function detail(job: JobView): string {
  const lines: [string, string][] = [
    ['任务', job.id],
    ['种类', `${job.kindLabel}（${job.kind}）`],
    ['状态', job.stateLabel],
    ['进度', progress(job)],
    ['区划', job.divisionCode],
    ['执行次数', `${job.attempts}/${job.maxAttempts}`],
    ['提交人', job.createdBy ?? '系统'],
    ['原因', job.reason],
    ['提交时间', shanghaiTime(job.createdAt)],
    ['开始时间', shanghaiTime(job.startedAt)],
    ['结束时间', shanghaiTime(job.finishedAt)],
  ];
  if (job.scheduleName) lines.push(['定时任务', job.scheduleName]);
  if (job.error) lines.push(['错误', job.error]);
  if (job.result) lines.push(['结果', JSON.stringify(job.result)]);
  return `${lines.map(([k, v]) => `${k}：${v}`).join('\n')}\n`;
}

function operatorActor(reason: string) {
  return { userId: `cli:${userInfo().username}`, divisionCode: null, reason };
}

async function runQueued(config: Config, store: Parameters<Parameters<typeof withStore>[0]>[0]) {
  const runner = new JobRunner({
    store,
    config,
    kinds: jobKinds(),
    say: (line) => out(`${line}\n`),
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    out('收到中断信号，完成当前批次后停止……\n');
    void runner.stop();
  };
  process.once('SIGINT', stop);
  try {
    return await runner.runUntilIdle();
  } finally {
    process.off('SIGINT', stop);
  }
}

export function registerJobsCommands(program: Command): void {
  const jobs = program.command('jobs').description('任务：导入、定时任务等的进度与管理 (jobs)');
  jobs
    .command('list')
    .description('列出任务，最新的在前 (list jobs)')
    .option('--state <states>', `按状态筛选：${JOB_STATES.join(',')}`)
    .option('--kind <kind>', '按种类筛选，如 registry.import')
    .option('--limit <n>', '最多列出条数', '20')
    .action(async (opts: { state?: string; kind?: string; limit: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new CliError('--limit 须为 1–1000 的整数');
      const { items, total } = await withStore(async (store) =>
        listVisibleJobs(store, jobKinds(), OPERATOR, {
          kind: opts.kind,
          states: states(opts.state),
          limit,
          offset: 0,
        }),
      );
      const views = items.map((job) => presentJob(job, jobKinds()));
      if (views.length === 0) {
        out(total === 0 ? '暂无任务\n' : `共 ${n(total)} 个任务\n`);
        return;
      }
      out(
        `${formatTable(
          ['任务', '种类', '状态', '进度', '提交时间', '错误'],
          views.map((j) => [
            j.id,
            j.kindLabel,
            j.stateLabel,
            progress(j),
            shanghaiTime(j.createdAt),
            j.error ?? '',
          ]),
        )}\n共 ${n(total)} 个任务${total > items.length ? `（列出最新 ${items.length} 个）` : ''}\n`,
      );
    });
  jobs
    .command('show')
    .description('显示一个任务的详情与结果 (show a job)')
    .argument('<id>', '任务编号')
    .action(async (id: string) => {
      const job = await withStore((store) => showJob(store, jobKinds(), OPERATOR, id));
      out(detail(presentJob(job, jobKinds())));
    });
  jobs
    .command('cancel')
    .description('取消任务：排队中的立即取消，运行中的在当前批次后停止（该批次撤销） (cancel a job)')
    .argument('<id>', '任务编号')
    .option('--reason <text>', '取消原因，记入审计日志', '命令行取消任务')
    .action(async (id: string, opts: { reason: string }) => {
      const job = await withStore((store, config) =>
        cancelJob(store, jobKinds(), OPERATOR, operatorActor(opts.reason), id, { config }),
      );
      out(`任务 ${job.id}：${presentJob(job, jobKinds()).stateLabel}\n`);
    });
  jobs
    .command('run')
    .description(
      '在本进程中运行排队的任务直到没有可运行的（内置数据库须先停止服务；也供运维手动补跑） (run queued jobs now)',
    )
    .action(async () => {
      const summary = await withStore((store, config) => runQueued(config, store));
      out(
        `运行完毕：完成 ${summary.succeeded} 个，失败 ${summary.failed} 个，取消 ${summary.cancelled} 个（共 ${n(summary.batches)} 个批次）\n`,
      );
      if (summary.failed > 0) process.exitCode = 1;
    });
  jobs
    .command('schedules')
    .description('列出定时任务及下次运行时间（上海时间）；修改见 jobs schedule (list schedules)')
    .action(() => listSchedulesCommand());
  const schedule = jobs
    .command('schedule')
    .description(
      '定时任务：修改定时表达式（分 时 日 月 周，上海时间）、启用、停用；记入审计日志，此后启动时不再按设置覆盖 (schedules)',
    );
  schedule
    .command('list')
    .description('列出定时任务及下次运行时间（同 jobs schedules） (list schedules)')
    .action(() => listSchedulesCommand());
  schedule
    .command('set')
    .description(
      '修改定时表达式，如 jobs schedule set backup --cron "0 2 * * *" --reason "…" (set the cron expression)',
    )
    .argument('<name>', '定时任务名称，如 backup、audit.checkpoint（见 jobs schedules）')
    .requiredOption(
      '--cron <expression>',
      '5 段定时表达式：分 时 日 月 周（上海时间），如 "30 1 * * *" 为每天 1:30',
    )
    .requiredOption('--reason <text>', '修改原因，记入审计日志')
    .action((name: string, opts: { cron: string; reason: string }) =>
      changeScheduleCommand(name, { cron: opts.cron }, opts.reason),
    );
  schedule
    .command('enable')
    .description('启用定时任务：下次按其定时表达式运行 (enable)')
    .argument('<name>', '定时任务名称')
    .requiredOption('--reason <text>', '启用原因，记入审计日志')
    .action((name: string, opts: { reason: string }) =>
      changeScheduleCommand(name, { enabled: true }, opts.reason),
    );
  schedule
    .command('disable')
    .description('停用定时任务：不再自动运行，直到再次启用 (disable)')
    .argument('<name>', '定时任务名称')
    .requiredOption('--reason <text>', '停用原因，记入审计日志')
    .action((name: string, opts: { reason: string }) =>
      changeScheduleCommand(name, { enabled: false }, opts.reason),
    );
}

async function listSchedulesCommand(): Promise<void> {
  const list = await withStore((store) => scheduleViews(store, jobKinds()));
  if (list.length === 0) {
    out('暂无定时任务（服务或执行进程第一次启动时按设置建立）\n');
    return;
  }
  out(
    `${formatTable(
      ['名称', '种类', '定时（分 时 日 月 周）', '启用', '下次运行', '上次运行'],
      list.map((s) => [
        s.name,
        s.kindLabel,
        s.cron,
        s.enabled ? '是' : s.unavailable ? '否（本系统不可用）' : '否',
        shanghaiTime(s.nextRunAt),
        shanghaiTime(s.lastRunAt),
      ]),
    )}\n`,
  );
}

async function changeScheduleCommand(name: string, change: ScheduleChange, reason: string): Promise<void> {
  const { view, changed } = await withStore(async (store) => {
    const { schedule, changed } = await inUnitOfWork(store, operatorActor(reason), (tx) =>
      changeSchedule(tx, jobKinds(), store.kind, name, change),
    );
    return { view: presentSchedule(schedule, jobKinds(), store.kind), changed };
  });
  const state = view.enabled
    ? `定时 “${view.cron}”（上海时间），下次运行 ${shanghaiTime(view.nextRunAt)}`
    : `已停用（定时 “${view.cron}”）`;
  out(
    changed
      ? `已修改定时任务 ${view.name}：${state}\n`
      : `定时任务 ${view.name} 已是如此，未做更改：${state}\n`,
  );
}
