import { shanghaiMonth } from './clock.ts';

/** Display helpers shared by the pages' column definitions. */

/** The API's sexName when present, else the GB/T 2261.1 code (1 男, 2 女) read here. */
export function sexOf(row: { sex: string | number; sexName?: string }): string {
  return row.sexName ?? sexName(row.sex);
}

export function sexName(sex: string | number | null | undefined): string {
  switch (String(sex ?? '')) {
    case '1':
    case 'male':
    case 'M':
    case '男':
      return '男';
    case '2':
    case 'female':
    case 'F':
    case '女':
      return '女';
    default:
      return '未知';
  }
}

export function dash(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  return String(value);
}

/** "2024-05-01T08:30:00.000Z" → "2024-05-01 16:30:00" in the browser's time zone (Asia/Shanghai in practice). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Share as a percentage with two decimals; the API sends either a ratio (0–1) or a percentage. */
export function formatShare(share: number): string {
  const percent = share <= 1 ? share * 100 : share;
  return `${percent.toFixed(2)}%`;
}

/** The current month in Shanghai as YYYY-MM (the default benefit month of the calculator). */
export function currentMonth(now = new Date()): string {
  return shanghaiMonth(now);
}
