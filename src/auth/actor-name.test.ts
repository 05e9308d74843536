import { describe, expect, it } from 'vitest';
import { actorName } from './actor-name.ts';

describe('actorName', () => {
  const users = new Map([['7d6b1a9e-0000-4000-8000-000000000001', '陈经办（caseworker）']]);
  const label = (id: string) => users.get(id);

  it('names users, command-line operators, the system actor, nobody and deleted users alike everywhere', () => {
    expect(actorName('7d6b1a9e-0000-4000-8000-000000000001', label)).toBe('陈经办（caseworker）');
    expect(actorName('cli:ops', label)).toBe('命令行（ops）');
    expect(actorName('system:job-runner', label)).toBe('系统（自动任务）');
    expect(actorName(null, label)).toBe('系统');
    expect(actorName('0a1b2c3d-0000-4000-8000-000000000009', label)).toBe('已删除的用户（0a1b2c3d）');
  });
});
