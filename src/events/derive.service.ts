import { sql } from 'drizzle-orm';
import { shanghaiToday } from '../core/clock.ts';
import { birthdaysSql, birthsSql, deathsSql } from '../registry/subjects.repository.ts';
import { RowDigest, type WorkTx } from '../workflow/unit-of-work.ts';
import { monthDays } from './dates.ts';
import { kindOfAge } from './event-kinds.ts';
import { milestoneAges } from './events.parameters.ts';
import { insertDerivedEvents, type InsertedEvent } from './events.repository.ts';
import { EventError } from './events.errors.ts';

/**
 * 从人口库生成生命事件 (docs/events.md 生成): set-based, one statement per kind, idempotent by the events' key —
 * - deaths recorded in the registry: those on or after the window's first day, and older ones whose person row
 *   changed since then (a death registered late); a death from before the window that nobody touched is not an
 *   event of today (it was dealt with when it happened, or before this system);
 * - births in the window;
 * - the milestone birthdays (60, then the elderly allowance's band ages) in the window, of persons alive that day.
 * The window: a month given (its days up to today), or the previous month's first day to today (a daily run
 * catches up across a month's end). Registry edits do not know of events: this reads what they left.
 */

export interface DeriveResult {
  from: string;
  to: string;
  deaths: number;
  births: number;
  birthdays: number;
}

function previousMonthStart(day: string): string {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  return m === 1 ? `${y - 1}-12-01` : `${y}-${String(m - 1).padStart(2, '0')}-01`;
}

export async function deriveEvents(
  tx: WorkTx,
  input: { districtCode: string; month?: string | undefined; batchKey: string },
): Promise<DeriveResult> {
  const today = shanghaiToday(tx.now);
  let from: string;
  let to: string;
  if (input.month !== undefined) {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(input.month))
      throw new EventError('invalid', `月份「${input.month}」无效，应为 YYYY-MM`);
    const days = monthDays(input.month);
    if (days.first > today) throw new EventError('invalid', `${input.month} 尚未开始，不能生成事件`);
    from = days.first;
    to = days.last < today ? days.last : today;
  } else {
    from = previousMonthStart(today);
    to = today;
  }
  const d = input.districtCode;
  const ages = milestoneAges(to).filter((a) => kindOfAge(a) !== null);
  const deaths = await insertDerivedEvents(
    tx,
    sql`select * from (${deathsSql(d)}) x where x.occurred_on >= ${from}::date or x.changed_at >= ${from}::date`,
    sql`'death'`,
  );
  const births = await insertDerivedEvents(tx, birthsSql(d, from, to), sql`'birth'`);
  const birthdays = await insertDerivedEvents(tx, birthdaysSql(d, from, to, ages), sql`'age_' || s.age`);
  const all: InsertedEvent[] = [...deaths, ...births, ...birthdays];
  const result = { from, to, deaths: deaths.length, births: births.length, birthdays: birthdays.length };
  // Recorded even when nothing was new: the inserts' conflict checks are writes the unit sees.
  const digest = new RowDigest();
  for (const e of all) digest.add(e);
  tx.recordBatch({
    action: 'events.derived',
    entityType: 'life_event_batch',
    entityId: `${input.batchKey}/${d}`,
    district: d,
    digest,
    summary: { ...result },
  });
  return result;
}
