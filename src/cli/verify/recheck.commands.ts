import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { ALL } from '../../auth/scope.ts';
import { shanghaiMonth } from '../../core/clock.ts';
import type { Store } from '../../db/store.ts';
import type { Config } from '../../config.ts';
import { JobKinds } from '../../jobs/job-kind.ts';
import { getJob, type Job } from '../../jobs/jobs.repository.ts';
import { enqueueJob, JOB_STATE_LABELS } from '../../jobs/jobs.service.ts';
import { recheckKey, verificationRecheckJob } from '../../jobs/kinds/verification-recheck.job.ts';
import { JobRunner } from '../../jobs/runner.ts';
import { isProgramCode, PROGRAMS, type ProgramCode } from '../../policy/index.ts';
import { changesCsv } from '../../verification/recheck/change-list.service.ts';
import { RECHECK_KIND, type RecheckTotals } from '../../verification/recheck/recheck.service.ts';
import { CliError, withStore } from '../context.ts';
import { progressBar } from '../progress.ts';

/**
 * `verify recheck --program dibao [--district D]`: 在保对象定期复核. On the embedded store the command runs
 * the job itself to the end, with a progress bar (the server must be stopped, as for `import`); on a
 * PostgreSQL server it does too unless `--no-wait`, which queues it for the workers and prints its id.
 */

const out = (text: string) => process.stdout.write(text);

function summary(job: Job): string {
  const r = (job.result ?? {}) as Partial<RecheckTotals> & { waiting?: number };
  const lines = [
    `定期复核任务 ${job.id}：${JOB_STATE_LABELS[job.state]}`,
    `  在保家庭 ${r.households ?? job.done} 户，新建核对委托 ${r.requests ?? 0} 件，已出具报告 ${r.reported ?? 0} 份`,
    `  变更 ${r.changes ?? 0} 项，其中影响资格或金额 ${r.affecting ?? 0} 项`,
  ];
  if (r.waiting) lines.push(`  尚有 ${r.waiting} 件待部门答复，答复后由核对信息获取任务出具报告`);
  if (r.unsignedCount) {
    lines.push(`  待补签授权 ${r.unsignedCount} 户（未核对）：`);
    for (const u of (r.unsigned ?? []).slice(0, 20))
      lines.push(`    ${u.householdNo}：${u.names.join('、')}`);
    if (r.unsignedCount > 20) lines.push(`    ……（共 ${r.unsignedCount} 户，完整名单见任务结果）`);
  }
  if (job.error) lines.push(`  错误：${job.error}`);
  return `${lines.join('\n')}\n`;
}

async function runToEnd(store: Store, config: Config, job: Job): Promise<Job> {
  const runner = new JobRunner({
    store,
    config,
    kinds: new JobKinds().register(verificationRecheckJob),
    schedules: false,
    pauseBetweenBatches: false,
  });
  const bar = progressBar('定期复核 |{bar}| {percentage}% | {value}/{total} 户');
  bar?.start(job.total ?? 1, 0);
  const timer = setInterval(() => {
    void getJob(store.db, job.id).then((j) => {
      if (!j) return;
      if (j.total !== null) bar?.setTotal(Math.max(1, j.total));
      bar?.update(j.done);
    });
  }, 500);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    out('收到中断信号，完成当前批次后停止（再次运行同一命令从中断处继续）……\n');
    void runner.stop();
  };
  process.once('SIGINT', stop);
  try {
    await runner.runUntilIdle();
  } finally {
    clearInterval(timer);
    process.off('SIGINT', stop);
    bar?.stop();
  }
  return (await getJob(store.db, job.id)) ?? job;
}

export function registerVerifyRecheckCommands(verify: Command): void {
  verify
    .command('recheck')
    .description(
      '在保对象定期复核：本区该项目持有随待遇延续授权书的家庭逐批核对，生成变更清单 (re-verify recipients)',
    )
    .requiredOption('--program <code>', '政策项目代码，如 dibao (program)')
    .option('--district <code>', '区代码，默认演示区 (district)')
    .option('--no-wait', 'PostgreSQL：只提交任务并打印任务编号，由 worker 运行 (queue only)')
    .option('--csv <file>', '完成后把变更清单写入 CSV 文件 (write the change list)')
    .option('--reason <text>', '复核原因，记入审计 (reason; audited)', '在保对象定期复核')
    .action(
      async (opts: { program: string; district?: string; wait: boolean; csv?: string; reason: string }) => {
        if (!isProgramCode(opts.program)) throw new CliError(`政策项目代码不存在：${opts.program}`);
        const program: ProgramCode = opts.program;
        await withStore(async (store, config) => {
          const districtCode = opts.district ?? config.MINZHENG_DEMO_DISTRICT;
          if (!/^31\d{4}$/.test(districtCode)) throw new CliError(`区代码应为 6 位：${districtCode}`);
          const payload = { districtCode, program };
          const { job, existing } = await enqueueJob(store, new JobKinds().register(verificationRecheckJob), {
            kind: RECHECK_KIND,
            payload,
            actor: { userId: `cli:${userInfo().username}`, divisionCode: null, reason: opts.reason },
            divisionCode: districtCode,
            idempotencyKey: recheckKey(payload, shanghaiMonth()),
          });
          if (existing)
            out(
              `本月${PROGRAMS[program].name}的定期复核已有任务（${JOB_STATE_LABELS[job.state]}）：${job.id}\n`,
            );
          if (!opts.wait && store.kind === 'postgres') {
            if (!existing)
              out(`已提交定期复核任务：${job.id}（由 worker 运行；进度见 jobs show ${job.id}）\n`);
            return;
          }
          const ended = job.state === 'succeeded' ? job : await runToEnd(store, config, job);
          out(summary(ended));
          if (opts.csv && ended.state === 'succeeded') {
            await writeFile(
              opts.csv,
              await changesCsv(store.db, ALL, { districtCode, jobId: job.id, affectsOnly: false }),
            );
            out(`变更清单已写入 ${opts.csv}\n`);
          }
          if (ended.state !== 'succeeded') process.exitCode = 1;
        });
      },
    );
}
