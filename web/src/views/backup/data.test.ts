import { describe, expect, it } from 'vitest';
import { scheduleText, sizeText } from './data.ts';

describe('backup page helpers', () => {
  it('shows sizes in KB, MB and GB', () => {
    expect(sizeText(2048)).toBe('2.0 KB');
    expect(sizeText(85_409_762)).toBe('81.5 MB');
    expect(sizeText(3 * 1024 ** 3)).toBe('3.00 GB');
  });

  it('says a daily schedule in words and any other as its expression', () => {
    expect(scheduleText('0 2 * * *')).toBe('每天 02:00（上海时间）自动备份');
    expect(scheduleText('30 23 * * *')).toBe('每天 23:30（上海时间）自动备份');
    expect(scheduleText('0 3 * * 1')).toBe('按 0 3 * * 1（cron，上海时间）自动备份');
    expect(scheduleText('off')).toBe('未设置定时备份');
  });
});
