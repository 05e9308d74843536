import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'mz-calc-'));
const file = (name: string, body: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(body));
  return path;
};
const run = (...args: string[]) => spawnSync('./bin/minzheng', args, { encoding: 'utf8' });

const household = {
  month: '2022-08',
  household: {
    members: [
      { id: 'm1', birthDate: '1978-04-12', wageFen: 300000 },
      { id: 'm2', birthDate: '1980-09-30' },
      { id: 'm3', birthDate: '2009-06-01' },
    ],
  },
};

describe('minzheng calc', () => {
  it('prints {month, results} with every program, and explains in Chinese', () => {
    const out = run('calc', '--file', file('h.json', household), '--explain');
    expect(out.status, out.stderr).toBe(0);
    const json = JSON.parse(out.stdout) as {
      month: string;
      results: { program: string; amountFen: number; trace?: { narrative: string } }[];
    };
    expect(json.month).toBe('2022-08');
    expect(json.results).toHaveLength(15);
    const dibao = json.results.find((r) => r.program === 'dibao');
    expect(dibao?.amountFen).toBe(256000);
    expect(dibao?.trace?.narrative).toContain('可计算收入2130.00元，低于低保标准合计4260.00元');
  });

  it('exits non-zero naming parameter and month when --program has a gap', () => {
    const out = run('calc', '--file', file('h.json', household), '--program', 'dibao', '--month', '2019-03');
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('dibao.standard');
    expect(out.stderr).toContain('2019-03');
  });

  it('exits non-zero naming the field path of invalid input', () => {
    const bad = { ...household, household: { members: [{ id: 'm1', birthDate: '2022-02-30' }] } };
    const out = run('calc', '--file', file('bad.json', bad));
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('household.members[0].birthDate');
  });
});
