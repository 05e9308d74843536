import { describe, expect, it } from 'vitest';
import { divisionPath, levelOfCode, levelRule, reasonProblem, statusOf } from './data.ts';
import type { UserRow } from '../../api/types.ts';

describe('users page data', () => {
  it('walks the cascader path from the administrator’s division down to a code', () => {
    expect(divisionPath('310110', '310110012001')).toEqual(['310110', '310110012', '310110012001']);
    expect(divisionPath('310110', '310110')).toEqual(['310110']);
    expect(divisionPath('310110', '310104001')).toEqual([]);
    expect(divisionPath('310000', '310110012')).toEqual(['310000', '310110', '310110012']);
    expect(divisionPath('310000', '310000')).toEqual(['310000']);
    expect(divisionPath('310110', '')).toEqual([]);
  });

  it('names levels and rules as the server does', () => {
    expect(levelOfCode('310000')).toBe('city');
    expect(levelOfCode('310110')).toBe('district');
    expect(levelOfCode('310110012')).toBe('street');
    expect(levelOfCode('310110012001')).toBe('committee');
    expect(levelOfCode('3101')).toBeUndefined();
    expect(levelRule(['district', 'city'])).toBe('须属于区或全市');
  });

  it('shows disabled before locked, and asks for a visible reason', () => {
    const row = (over: Partial<UserRow>): UserRow => ({
      id: 'u',
      username: 'u',
      displayName: 'u',
      role: 'auditor',
      divisionCode: '310110',
      ...over,
    });
    expect(statusOf(row({ disabled: true, locked: true })).label).toBe('已停用');
    expect(statusOf(row({ locked: true })).label).toBe('已锁定');
    expect(statusOf(row({})).label).toBe('正常');
    expect(reasonProblem('\u200b\u200b ')).toBeDefined();
    expect(reasonProblem('调岗')).toBeUndefined();
  });
});
