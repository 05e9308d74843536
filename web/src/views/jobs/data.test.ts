import { describe, expect, it } from 'vitest';
import type { Job } from '../../api/jobs.ts';
import { cronText, importErrors, progressText, resultLines, scheduleColumns, stateType } from './data.ts';

const job = (over: Partial<Job>): Job => ({
  id: 'j',
  kind: 'registry.import',
  kindLabel: '户籍台账导入',
  state: 'succeeded',
  stateLabel: '已完成',
  divisionCode: '310110012',
  done: 0,
  total: null,
  percent: null,
  attempts: 1,
  maxAttempts: 3,
  error: null,
  result: null,
  createdBy: 'u',
  reason: '导入',
  scheduleName: null,
  createdAt: '2026-12-01T02:00:00.000Z',
  startedAt: null,
  updatedAt: '2026-12-01T02:00:00.000Z',
  finishedAt: null,
  canCancel: false,
  ...over,
});

describe('jobs page data', () => {
  it('says progress and results in Chinese', () => {
    expect(progressText(job({ done: 1200, total: 5000 }))).toBe('1,200 / 5,000');
    expect(progressText(job({ done: 7 }))).toBe('7');
    expect(progressText({})).toBe('0'); // the empty row Element Plus renders a cell slot with at set-up
    expect(resultLines(job({ result: { ok: true, rows: 6, households: 3, persons: 6 } }))).toEqual([
      '共 6 行',
      '已导入 3 户、6 人',
    ]);
    expect(
      resultLines(job({ kind: 'audit.checkpoint', result: { signed: false, count: 3, lastId: 3 } })),
    ).toEqual(['审计日志自上一个检查点以来没有变化，未签署新的检查点']);
    expect(stateType('failed')).toBe('danger');
    const errors = [{ row: 2, column: '姓名', value: '', reason: '必填' }];
    expect(importErrors(job({ result: { ok: false, errors, errorCount: 1 } }))).toEqual(errors);
    expect(importErrors(job({ result: null }))).toEqual([]);
  });

  it('says what a backup holds in one line', () => {
    const result = {
      file: 'minzheng-backup-20261201-020000.tar.gz',
      bytes: 2 * 1024 * 1024,
      sha256: 'a'.repeat(64),
      tookMs: 2000,
      pausedMs: 300,
      dataBytes: 10 * 1024 * 1024,
      contents: 1,
      contentBytes: 1024,
      signingKey: true,
      checkpoints: false,
      auditLastId: 9,
      removed: [],
    };
    expect(resultLines(job({ kind: 'backup', kindLabel: '系统备份', result }))).toEqual([
      'minzheng-backup-20261201-020000.tar.gz：2.0 MB，含数据库 10.0 MB、附件文件 1 个（1.0 KB）、审计签名密钥；审计日志到第 9 条；用时 2.0 秒，其间数据库请求等待 0.3 秒',
    ]);
  });

  it('says common cron expressions in words, and leaves others as they are', () => {
    expect(cronText('0 2 * * *')).toBe('每天 02:00');
    expect(cronText('30 1 * * 1-5')).toBe('周一至周五 01:30');
    expect(cronText('0 0 * * 1')).toBe('每周一 00:00');
    expect(cronText('0 3 * * 0')).toBe('每周日 03:00');
    expect(cronText('0 8 1 * *')).toBe('每月 1 日 08:00');
    expect(cronText('*/15 * * * *')).toBe('每 15 分钟');
    expect(cronText('0 * * * *')).toBe('每小时整点');
    expect(cronText('5 * * * *')).toBe('每小时第 5 分');
    expect(cronText('0 */6 * * *')).toBe('每 6 小时（整点）');
    // Out of range: no words (the server refuses it).
    expect(cronText('0 25 * * *')).toBeNull();
    expect(cronText('60 1 * * *')).toBeNull();
    expect(cronText('0 1 * * 9')).toBeNull();
    expect(cronText('0 2 * 1 *')).toBeNull();
    expect(cronText('0 2,14 * * *')).toBeNull();
    expect(cronText('0 2 * *')).toBeNull();
  });

  it('shows schedule times in Shanghai time', () => {
    const schedule = {
      name: 'backup',
      kind: 'backup',
      kindLabel: '系统备份',
      cron: '0 2 * * *',
      enabled: true,
      nextRunAt: '2026-12-01T18:00:00.000Z',
      lastRunAt: null,
      lastJobId: null,
      unavailable: null,
    };
    const next = scheduleColumns.find((c) => c.prop === 'nextRunAt');
    expect(next?.formatter?.(schedule)).toBe('2026-12-02 02:00');
    expect(scheduleColumns.find((c) => c.prop === 'lastRunAt')?.formatter?.(schedule)).toBe('—');
  });
});
