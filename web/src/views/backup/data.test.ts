import { describe, expect, it } from 'vitest';
import type { Job } from '../../api/jobs.ts';
import { backupResultOf, backupResultText, scheduleLine, scheduleText, sizeText } from './data.ts';

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

  it('adds the next run in Shanghai time', () => {
    expect(scheduleLine('0 2 * * *', '2026-12-01T18:00:00.000Z')).toBe(
      '每天 02:00（上海时间）自动备份，下次 2026-12-02 02:00',
    );
    expect(scheduleLine('off', null)).toBe('未设置定时备份');
  });

  it('says what a finished backup holds and how long it took', () => {
    const result = {
      file: 'minzheng-backup-20261201-020000.tar.gz',
      bytes: 85_409_762,
      sha256: 'a'.repeat(64),
      tookMs: 9400,
      pausedMs: 1500,
      dataBytes: 388 * 1024 * 1024,
      contents: 3,
      contentBytes: 2048,
      signingKey: true,
      checkpoints: true,
      auditLastId: 42,
      removed: ['minzheng-backup-20261124-020000.tar.gz'],
    };
    expect(backupResultText(result)).toBe(
      'minzheng-backup-20261201-020000.tar.gz：81.5 MB，含数据库 388.0 MB、附件文件 3 个（2.0 KB）、审计签名密钥与检查点文件；' +
        '审计日志到第 42 条；用时 9.4 秒，其间数据库请求等待 1.5 秒；删除旧备份 1 份',
    );
    expect(
      backupResultText({ ...result, contents: 0, signingKey: false, checkpoints: false, removed: [] }),
    ).toBe(
      'minzheng-backup-20261201-020000.tar.gz：81.5 MB，含数据库 388.0 MB、没有附件文件；审计日志到第 42 条；用时 9.4 秒，其间数据库请求等待 1.5 秒',
    );
    const job = { state: 'succeeded', result } as unknown as Job;
    expect(backupResultOf(job)).toBe(result);
    expect(backupResultOf({ ...job, state: 'running' })).toBeNull();
    expect(backupResultOf(null)).toBeNull();
  });
});
