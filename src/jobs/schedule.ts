import { CronExpressionParser } from 'cron-parser';
import { JobError } from './jobs.errors.ts';

/** Every schedule's times are Shanghai's, whatever the machine's time zone. */
export const SCHEDULE_TIME_ZONE = 'Asia/Shanghai';

/**
 * The first time after `after` that a five-field cron expression (minute hour day month weekday) names,
 * read in Asia/Shanghai: `0 2 * * *` is 02:00 in Shanghai (18:00 UTC the day before).
 */
export function nextRunAfter(cron: string, after: Date): Date {
  return CronExpressionParser.parse(checkedCron(cron), {
    currentDate: after,
    tz: SCHEDULE_TIME_ZONE,
  })
    .next()
    .toDate();
}

/** The next `count` run times after `after` (the console and `jobs schedules` show a few). */
export function nextRuns(cron: string, after: Date, count: number): Date[] {
  const expression = CronExpressionParser.parse(checkedCron(cron), {
    currentDate: after,
    tz: SCHEDULE_TIME_ZONE,
  });
  return Array.from({ length: count }, () => expression.next().toDate());
}

/** The expression if it has five fields and parses; else a Chinese error. */
export function checkedCron(cron: string): string {
  const text = cron.trim().replace(/\s+/g, ' ');
  const fields = text.split(' ');
  if (fields.length !== 5) {
    throw new JobError(
      'invalid_payload',
      `定时表达式应为 5 段（分 时 日 月 周，上海时间），如 "0 2 * * *" 表示每天 2:00：${cron}`,
    );
  }
  try {
    CronExpressionParser.parse(text, { tz: SCHEDULE_TIME_ZONE });
  } catch {
    throw new JobError('invalid_payload', `定时表达式无法识别：${cron}（格式：分 时 日 月 周，上海时间）`);
  }
  return text;
}
