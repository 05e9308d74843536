import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { calendarOf } from '../../calendar/calendar.service.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { renderPdf } from '../../documents/pdf.renderer.ts';
import { formatYuan } from '../../policy/engine/exact.ts';
import { reportDocument } from '../../verification/report/report.document.ts';
import { getReport, type ReportView } from '../../verification/report/report.present.ts';
import { CliError, withStore } from '../context.ts';
import { formatTable } from '../table.ts';
import { fail, OPERATOR_CALLER, requestOf } from './cli-support.ts';

/**
 * `verify report ID [--pdf FILE] [--json] [--revision N]`: the 核对报告 of a request — the comparison table,
 * the flags, the gaps and the engine's conclusion — as text, as JSON, or as the printable PDF.
 */

function textOf(view: ReportView): string {
  const r = view.request;
  const lines = [
    `核对报告 ${view.reportNo}（第 ${view.revision} 版，共 ${view.revisions} 版）  委托 ${r.requestNo}  ${r.stateName}${r.partial ? '，部分核对' : ''}`,
    `用途：${r.purposeName}    核对基准日：${r.asOf}    复核申请截止：${view.objection.due ?? '—'}`,
    '',
    formatTable(
      ['成员', '项目', '申报', '核对', '差额', '提示'],
      view.figures.map((f) => [
        f.memberName,
        `${f.kindName}${f.corrected ? '（更正）' : ''}${!f.complete && f.verified !== null ? '（部分）' : ''}`,
        f.declaredText,
        f.verifiedText,
        f.differenceText,
        f.flags.map((x) => x.label).join('、'),
      ]),
    ),
    '',
    view.flags.length > 0
      ? `提示：\n${view.flags.map((f, i) => `  ${i + 1}. 【${f.label}】${f.text}`).join('\n')}`
      : '提示：未发现超出容差的差异',
    ...(view.gaps.length > 0 ? [`未能核对：\n${view.gaps.map((g) => `  - ${g.text}`).join('\n')}`] : []),
    '',
    `政策测算结论（${view.conclusion.month}，按核对结果）：`,
    ...view.conclusion.programs.map(
      (p) =>
        `  ${p.name}${p.forPurpose ? '（核对用途）' : ''}：${p.error ? `无法测算（${p.error}）` : p.eligible ? `符合，月金额 ${formatYuan(p.amountFen)} 元` : '不符合'}；${p.reasons.join('；')}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

export function registerVerifyReportCommands(verify: Command): void {
  verify
    .command('report')
    .argument('<id>', '委托ID或委托编号 (request id or number)')
    .description('核对报告：申报与核对对照、提示与政策测算结论 (show a verification report)')
    .option('--pdf <file>', '将报告另存为 PDF (write the printable PDF)')
    .option('--json', '以 JSON 输出 (JSON output)')
    .option('--revision <n>', '报告版本，默认最新一版 (revision)')
    .action(async (key: string, opts: { pdf?: string; json?: boolean; revision?: string }) => {
      const revision = opts.revision === undefined ? undefined : Number(opts.revision);
      if (revision !== undefined && !(Number.isInteger(revision) && revision >= 1)) {
        throw new CliError(`版本应为正整数：${opts.revision}`);
      }
      const view = await withStore(async (store) => {
        const row = await requestOf(store.db, key);
        const calendar = await calendarOf(store);
        return getReport(store.db, OPERATOR_CALLER, row, { revision, calendar }).catch(fail);
      });
      if (opts.pdf) {
        const pdf = await renderPdf(reportDocument(view, shanghaiToday()));
        await writeFile(opts.pdf, pdf);
        process.stderr.write(`已保存核对报告 ${view.reportNo}（第 ${view.revision} 版）：${opts.pdf}\n`);
        if (!opts.json) return;
      }
      process.stdout.write(opts.json ? `${JSON.stringify(view, null, 2)}\n` : textOf(view));
    });
}
