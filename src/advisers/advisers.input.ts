import { tryParseIsoDay } from '../calendar/days.ts';
import { visibleLength } from '../core/text.ts';

/** Checks of what staff type, each giving a Chinese problem (collected, reported all at once). */

export const isRealDate = (value: string): boolean => tryParseIsoDay(value) !== undefined;

export class Problems {
  readonly list: string[] = [];
  add(problem: string): void {
    this.list.push(problem);
  }
  date(value: string, what: string): boolean {
    if (isRealDate(value)) return true;
    this.add(`${what}「${value}」不是有效日期`);
    return false;
  }
  /** A date that has already come (a visit, an assessment, a referral is recorded after it happened). */
  past(value: string, what: string, today: string): void {
    if (this.date(value, what) && value > today) this.add(`${what}不能晚于今天（${today}）`);
  }
  notBefore(value: string, what: string, today: string): void {
    if (this.date(value, what) && value < today) this.add(`${what}不能早于今天（${today}）`);
  }
  text(value: string, what: string, max: number, min = 1): void {
    const n = visibleLength(value);
    if (n < min) this.add(min === 1 ? `请填写${what}` : `${what}至少 ${min} 个字`);
    else if (value.length > max) this.add(`${what}不能超过 ${max} 个字符`);
  }
  code(value: string, table: Record<string, string>, what: string): void {
    if (!Object.hasOwn(table, value)) {
      this.add(`${what}「${value}」不存在，可选：${Object.values(table).join('、')}`);
    }
  }
}
