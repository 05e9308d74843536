/**
 * `minzheng events replay FILE` and `events process` (docs/events.md): life events from a JSON-lines file
 * (backfills, tests), and their processing, from the command line as the operator.
 */
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { IngestReport, LineProblem } from '../events/ingest.service.ts';
import { CliError, withStore } from './context.ts';
import { formatTable } from './registry.command.ts';

const n = (count: number) => count.toLocaleString('en-US');
const SHOWN = 50;

function problems(title: string, list: readonly LineProblem[]): string {
  if (list.length === 0) return '';
  const table = formatTable(
    ['行', '原因'],
    list.slice(0, SHOWN).map((p) => [String(p.line), p.reason]),
  );
  const more = list.length > SHOWN ? `\n（仅列出前 ${SHOWN} 行，共 ${n(list.length)} 行）` : '';
  return `\n${title}（${n(list.length)} 行）：\n${table}${more}\n`;
}

export function renderReplayReport(r: IngestReport): string {
  const head =
    `共 ${n(r.lines)} 行：接收 ${n(r.accepted)}，重复 ${n(r.duplicates.length)}，` +
    `查无此人 ${n(r.unknown.length)}，与已知情况矛盾 ${n(r.contradictory.length)}，格式错误 ${n(r.invalid.length)}\n`;
  return (
    head +
    problems('查无此人', r.unknown) +
    problems('与已知情况矛盾（已记为拒收）', r.contradictory) +
    problems('格式错误（未接收）', r.invalid) +
    problems('重复（未重复接收）', r.duplicates)
  );
}

const operator = (reason: string) => ({ userId: `cli:${userInfo().username}`, divisionCode: null, reason });

export function registerEventsCommands(program: Command): void {
  const events = program.command('events').description('生命事件：回放导入与处理 (life events)');
  events
    .command('replay')
    .description(
      '从 JSON Lines 文件接收生命事件（每行 {kind, idNumber 或 personId, occurredOn}），重复的不再接收 (replay a file)',
    )
    .argument('<file>', '事件文件 (.jsonl)')
    .option('--batch <n>', '每批行数 (lines per batch)', '10000')
    .option('--reason <text>', '原因，记入审计日志 (reason, audited)', '命令行回放生命事件')
    .action(async (file: string, opts: { batch: string; reason: string }) => {
      const batchSize = Number(opts.batch);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new CliError(`--batch 应为正整数：${opts.batch}`);
      const { replayFile } = await import('../events/replay.service.ts');
      const report = await withStore((store) =>
        replayFile(store, file, operator(opts.reason), { batchSize, runKey: `cli-replay:${randomUUID()}` }),
      );
      process.stdout.write(renderReplayReport(report));
    });
  events
    .command('process')
    .description('处理已接收的生命事件：死亡停发与追缴、免申即享纳入、生成待办 (process received events)')
    .option('--district <code>', '只处理此区（6位区划代码）(district)')
    .option('--reason <text>', '原因，记入审计日志 (reason, audited)', '命令行处理生命事件')
    .action(async (opts: { district?: string; reason: string }) => {
      if (opts.district !== undefined && !/^31\d{4}$/.test(opts.district)) {
        throw new CliError(`--district 应为6位区划代码：${opts.district}`);
      }
      const { processReceived } = await import('../events/replay.service.ts');
      const totals = await withStore((store) =>
        processReceived(store, operator(opts.reason), {
          districtCode: opts.district,
          runKey: `cli-process:${randomUUID()}`,
        }),
      );
      if (totals.size === 0) {
        process.stdout.write('没有待处理的生命事件\n');
        return;
      }
      process.stdout.write(
        `${formatTable(
          ['区', '批次', '事件', '已处理', '拒收', '忽略', '免申即享纳入', '停发待遇', '追缴', '待办'],
          [...totals].map(([d, t]) => [
            d,
            n(t.batches),
            n(t.events),
            n(t.processed),
            n(t.rejected),
            n(t.ignored),
            n(t.enrolled),
            n(t.stopped),
            n(t.recoveries),
            n(t.tasks),
          ]),
        )}\n`,
      );
    });
}
