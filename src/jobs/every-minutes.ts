// Kept apart from schedule.ts (which loads the cron parser): the settings check (src/config.ts) uses it,
// and every command loads the settings.

/**
 * An interval in minutes as a cron expression, for settings given in minutes (the audit checkpoint's):
 * a divisor of an hour runs at those minutes of every hour, a divisor of a day at those hours, a week on
 * Mondays. Undefined when no cron expression runs at exactly that interval (45 minutes, 90 minutes).
 */
export function everyMinutesCron(minutes: number): string | undefined {
  if (!Number.isInteger(minutes) || minutes <= 0) return undefined;
  if (minutes < 60 && 60 % minutes === 0) return minutes === 1 ? '* * * * *' : `*/${minutes} * * * *`;
  if (minutes % 60 === 0) {
    const hours = minutes / 60;
    if (hours < 24 && 24 % hours === 0) return hours === 1 ? '0 * * * *' : `0 */${hours} * * *`;
    if (hours === 24) return '0 0 * * *';
    if (hours === 24 * 7) return '0 0 * * 1';
  }
  return undefined;
}
