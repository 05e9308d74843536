import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { parseCalendarFile } from '../calendar/calendar-input.ts';
import { calendarOf, presentYear, replaceCalendarYear } from '../calendar/calendar.service.ts';
import { tryParseIsoDay, WEEKDAY_NAMES, weekdayOfDay } from '../calendar/days.ts';
import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, YEAR_STATUS_NAMES } from '../calendar/working-calendar.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { CliError, withStore } from './context.ts';
import { formatTable } from './table.ts';

function yearArgument(value: string): number {
  if (!/^\d{4}$/.test(value)) throw new CliError(`年份应为四位数字：${value}`);
  const year = Number(value);
  if (year < CALENDAR_FIRST_YEAR || year > CALENDAR_LAST_YEAR)
    throw new CliError(`年份 ${year} 超出工作日历的范围（${CALENDAR_FIRST_YEAR}—${CALENDAR_LAST_YEAR} 年）`);
  return year;
}

function dated(iso: string): string {
  const day = tryParseIsoDay(iso);
  return day === undefined ? iso : `${iso}（${WEEKDAY_NAMES[weekdayOfDay(day)]}）`;
}

function span(from: string, to: string): number {
  return (tryParseIsoDay(to) ?? 0) - (tryParseIsoDay(from) ?? 0) + 1;
}

export function registerCalendarCommands(program: Command): void {
  const calendar = program
    .command('calendar')
    .description('工作日历：法定节假日、调休与工作日期限 (working-day calendar)');

  calendar
    .command('show')
    .description('显示某年的放假与调休上班日，注明官方或暂定 (show a year)')
    .argument('<year>', `年份（${CALENDAR_FIRST_YEAR}—${CALENDAR_LAST_YEAR}）`)
    .option('--json', '以 JSON 输出（与导入文件同一格式，可修改后导入）')
    .action(async (yearText: string, opts: { json?: boolean }) => {
      const year = yearArgument(yearText);
      const view = await withStore(async (store) => presentYear(await calendarOf(store), year));
      if (opts.json) {
        const { source, holidays, workdays } = view;
        process.stdout.write(
          `${JSON.stringify({ year, status: view.status, source, holidays, workdays }, null, 2)}\n`,
        );
        return;
      }
      const lines = [
        `${year} 年工作日历（${YEAR_STATUS_NAMES[view.status]}${view.version === null ? '' : `，第 ${view.version} 版`}）`,
        `来源：${view.source}`,
        `全年工作日 ${view.workingDays} 天`,
        '',
        formatTable(
          ['节日', '放假', '天数'],
          view.holidays.map((h) => [
            h.name,
            h.from === h.to ? dated(h.from) : `${dated(h.from)} 至 ${dated(h.to)}`,
            String(span(h.from, h.to)),
          ]),
          ['left', 'left', 'right'],
        ),
      ];
      if (view.workdays.length > 0) {
        lines.push(
          '',
          formatTable(
            ['节日', '调休上班'],
            view.workdays.map((w) => [w.name, dated(w.date)]),
          ),
        );
      }
      if (view.status === 'provisional') {
        lines.push(
          '',
          '注意：这一年的安排是按放假办法推算的暂定日历；国务院办公厅公布通知后，请用 calendar import 导入。',
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  calendar
    .command('import')
    .description(
      '导入某年的官方放假安排（整年替换，记审计）：JSON 文件 { "source", "holidays": [{ "name", "from", "to" }], "workdays": [{ "name", "date" }] }，或 CSV 文件（表头 类型,开始日期,结束日期,名称；类型 放假/上班）(import a year)',
    )
    .argument('<year>', `年份（${CALENDAR_FIRST_YEAR}—${CALENDAR_LAST_YEAR}）`)
    .argument('<file>', 'JSON 或 CSV 文件（UTF-8）')
    .option('--source <text>', '来源：通知名称与文号（CSV 文件必填；JSON 文件中有 source 时可省略）')
    .option('--reason <text>', '导入原因（记入审计日志）')
    .action(async (yearText: string, file: string, opts: { source?: string; reason?: string }) => {
      const year = yearArgument(yearText);
      const input = parseCalendarFile(file, readFileSync(file), { year, source: opts.source });
      const reason = opts.reason?.trim() || `命令行导入 ${year} 年工作日历（${basename(file)}）`;
      const replaced = await withStore((store) =>
        inUnitOfWork(store, { userId: `cli:${userInfo().username}`, divisionCode: null, reason }, (tx) =>
          replaceCalendarYear(tx, year, input),
        ),
      );
      const was = replaced.previousVersion === null ? '原为暂定' : `替换第 ${replaced.previousVersion} 版`;
      process.stdout.write(
        `已导入 ${year} 年工作日历：${replaced.days} 天（放假与调休上班），第 ${replaced.version} 版（${was}）\n`,
      );
      for (const warning of replaced.warnings) process.stderr.write(`提示：${warning}\n`);
    });

  calendar
    .command('deadline')
    .description('期限：自某日起若干个工作日后的到期日（起算日不计入）(a deadline in working days)')
    .argument('<from>', '起算日期 YYYY-MM-DD')
    .argument('<workingDays>', '工作日数（可为负数：往前数）')
    .action(async (from: string, count: string) => {
      if (!/^-?\d{1,4}$/.test(count)) throw new CliError(`工作日数应为整数：${count}`);
      const deadline = await withStore(async (store) =>
        (await calendarOf(store)).deadline(from, Number(count)),
      );
      process.stdout.write(
        `${dated(deadline.from)} 起 ${deadline.workingDays} 个工作日：${dated(deadline.due)}（${deadline.rule}${deadline.provisional ? '；含暂定年度，官方安排公布后须重算' : ''}）\n`,
      );
    });
}
