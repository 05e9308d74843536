import { writeFile } from 'node:fs/promises';
import { shanghaiToday } from '../core/clock.ts';
import { renderPdf } from '../documents/pdf.renderer.ts';
import { annualReport } from '../statistics/annual-report.ts';
import { annualReportDocument } from '../statistics/annual-report.document.ts';
import type { Command } from 'commander';
import { ALL } from '../auth/scope.ts';
import { formatYuan } from '../policy/engine/exact.ts';
import { StatisticsError } from '../statistics/statistics.errors.ts';
import { annualTable, monthlyTable, type AreaLevel } from '../statistics/statistics.service.ts';
import type { EntitledFigures, Figures, ProgramTable } from '../statistics/statistics.tables.ts';
import { annualWorkbook, monthlyWorkbook } from '../statistics/statistics.xlsx.ts';
import { CliError, withStore } from './context.ts';
import { formatTable, type Align } from './table.ts';

/**
 * `minzheng stats month YYYY-MM` and `stats year YYYY` (docs/statistics.md): the monthly and annual tables
 * at the terminal, or as .xlsx with `--xlsx FILE`. The operator reads the whole city, or `--division` (a
 * district, street or committee) broken down one level below. On the embedded store the server must be
 * stopped (the data directory has one user at a time).
 */

const out = (text: string): void => {
  process.stdout.write(text);
};
const AREA: Record<AreaLevel, string> = { district: '区', street: '街道（镇）', committee: '居委会' };

interface Options {
  division?: string;
  xlsx?: string;
  pdf?: string;
  json?: boolean;
}

function fail(error: unknown): never {
  if (error instanceof StatisticsError) throw new CliError(error.message);
  throw error;
}

function paidRows(programs: readonly ProgramTable<Figures>[], total: Figures): string[][] {
  const row = (a: string, b: string, f: Figures) => [
    a,
    b,
    String(f.households),
    String(f.persons),
    formatYuan(f.amountFen),
    formatYuan(f.arrearsFen),
    formatYuan(f.carriedFen),
  ];
  return [
    ...programs.flatMap((p) => [
      ...p.rows.map((r) => row(p.program.name, r.name, r)),
      row(p.program.name, '小计', p.total),
    ]),
    row('合计', '', total),
  ];
}

function entitledRows(
  programs: readonly ProgramTable<EntitledFigures>[],
  total: EntitledFigures,
): string[][] {
  const row = (a: string, b: string, f: EntitledFigures) => [
    a,
    b,
    String(f.households),
    String(f.persons),
    formatYuan(f.amountFen),
  ];
  return [
    ...programs.flatMap((p) => [
      ...p.rows.map((r) => row(p.program.name, r.name, r)),
      row(p.program.name, '小计', p.total),
    ]),
    row('合计', '', total),
  ];
}

const RIGHT: Align[] = ['left', 'left', 'right', 'right', 'right', 'right', 'right'];

export function registerStatsCommands(program: Command): void {
  const stats = program.command('stats').description('统计报表：月报与年报 (statistics tables)');
  stats
    .command('month <month>')
    .description('统计月报：各项目按下一级区划的户数、人数、发放金额与在册待遇 (monthly table)')
    .option('--division <code>', '区、街道或居委会代码，默认全市 (division)')
    .option('--xlsx <file>', '另存为 .xlsx 文件 (write .xlsx)')
    .option('--json', '以 JSON 输出 (JSON output)')
    .action(async (month: string, opts: Options) => {
      const t = await withStore((store) => monthlyTable(store.db, ALL, month, opts.division)).catch(fail);
      if (opts.xlsx) await writeFile(opts.xlsx, await monthlyWorkbook(t));
      if (opts.json) {
        out(`${JSON.stringify(t, null, 2)}\n`);
        return;
      }
      out(`${t.division.name} ${t.month} 社会救助发放统计\n`);
      if (t.programs.length === 0) out('本月没有计入的发放。\n');
      else
        out(
          `${formatTable(
            ['项目', AREA[t.division.areaLevel], '户数', '人数', '金额（元）', '其中补发', '其中重发'],
            paidRows(t.programs, t.total),
            RIGHT,
          )}\n`,
        );
      out(`\n在册待遇（${t.month} 有效）\n`);
      if (t.entitled.programs.length === 0) out('该月没有有效的待遇。\n');
      else
        out(
          `${formatTable(
            ['项目', AREA[t.division.areaLevel], '户数', '人数', '月待遇金额（元）'],
            entitledRows(t.entitled.programs, t.entitled.total),
            RIGHT,
          )}\n`,
        );
      for (const note of t.notes) out(`注：${note}\n`);
      if (opts.xlsx) process.stderr.write(`已写入 ${opts.xlsx}\n`);
    });
  stats
    .command('year <year>')
    .description('统计年报：全年户次、人次与金额，按项目与下一级区划，另附分月合计 (annual table)')
    .option('--division <code>', '区、街道或居委会代码，默认全市 (division)')
    .option('--xlsx <file>', '另存为 .xlsx 文件 (write .xlsx)')
    .option('--pdf <file>', '年度社会救助统计报告另存为 PDF (write the annual report as PDF)')
    .option('--json', '以 JSON 输出 (JSON output)')
    .action(async (year: string, opts: Options) => {
      if (!/^\d{4}$/.test(year)) throw new CliError(`年份「${year}」无效，应为四位数字`);
      const [t, report] = await withStore((store) =>
        Promise.all([
          annualTable(store.db, ALL, Number(year), opts.division),
          opts.pdf ? annualReport(store.db, ALL, Number(year), opts.division) : null,
        ]),
      ).catch(fail);
      if (opts.pdf && report)
        await writeFile(
          opts.pdf,
          await renderPdf(annualReportDocument(report, { printedOn: shanghaiToday() })),
        );
      if (opts.xlsx) await writeFile(opts.xlsx, await annualWorkbook(t));
      if (opts.json) {
        out(`${JSON.stringify(t, null, 2)}\n`);
        return;
      }
      out(`${t.division.name} ${t.year} 年社会救助发放统计\n`);
      if (t.programs.length > 0)
        out(
          `${formatTable(
            ['项目', AREA[t.division.areaLevel], '户次', '人次', '金额（元）', '其中补发', '其中重发'],
            paidRows(t.programs, t.total),
            RIGHT,
          )}\n\n`,
        );
      out(
        `${formatTable(
          ['月份', '户次', '人次', '金额（元）'],
          t.months.map((m) => [m.month, String(m.households), String(m.persons), formatYuan(m.amountFen)]),
          ['left', 'right', 'right', 'right'],
        )}\n`,
      );
      for (const note of t.notes) out(`注：${note}\n`);
      if (opts.xlsx) process.stderr.write(`已写入 ${opts.xlsx}\n`);
      if (opts.pdf) process.stderr.write(`已写入年度统计报告 ${opts.pdf}\n`);
    });
}
