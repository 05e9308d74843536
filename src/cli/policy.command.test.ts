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

describe('minzheng calc --example and --file -', () => {
  type Calc = { month: string; results: { program: string; eligible: boolean; error?: string }[] };
  const calcStdin = (input: string, ...args: string[]) =>
    spawnSync('./bin/minzheng', ['calc', '--file', '-', ...args], { encoding: 'utf8', input });

  it('prints a complete example household that calc reads back from stdin and calculates', () => {
    const example = run('calc', '--example');
    expect(example.status, example.stderr).toBe(0);
    const file = JSON.parse(example.stdout) as { month: string; household: { members: object[] } };
    expect(Object.keys(file.household).sort()).toEqual(
      [
        'monetaryAssetsFen',
        'vehicles',
        'homes',
        'perCapitaFloorAreaBelowAverage',
        'medicalExpenseAnnualFen',
        'educationExpenseAnnualFen',
        'temporaryAssistanceMonths',
        'renovationCostFen',
        'members',
      ].sort(),
    );
    const out = calcStdin(example.stdout, '--month', '2026-11', '--explain');
    expect(out.status, out.stderr).toBe(0);
    const json = JSON.parse(out.stdout) as Calc;
    expect(json.month).toBe('2026-11');
    expect(json.results.filter((r) => r.error)).toEqual([]);
    expect(json.results.find((r) => r.program === 'dibao')?.eligible).toBe(true);
  });

  it('has an example for an elderly person alone and for a disabled person', () => {
    for (const [kind, program] of [
      ['elderly', 'elderly_allowance'],
      ['disabled', 'severe_disability_unemployed'],
    ] as const) {
      const example = run('calc', '--example', kind);
      expect(example.status, example.stderr).toBe(0);
      const out = calcStdin(example.stdout);
      expect(out.status, out.stderr).toBe(0);
      expect(JSON.parse(out.stdout) as Calc).toMatchObject({ month: '2026-11' });
      expect((JSON.parse(out.stdout) as Calc).results.find((r) => r.program === program)?.eligible).toBe(
        true,
      );
    }
    const unknown = run('calc', '--example', 'nobody');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('dibao、elderly、disabled');
  });

  it('says in Chinese what is missing or wrong on stdin', () => {
    const none = run('calc');
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('--file');
    expect(none.stderr).toContain('calc --example');
    const bad = calcStdin('{oops');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('标准输入 不是有效的 JSON');
  });
});

describe('minzheng simulate', () => {
  it('names each program in Chinese beside its code', () => {
    const out = run('simulate', '--month', '2022-08', '--demo', '--persons', '300', '--seed', 'names');
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain('最低生活保障');
    expect(out.stdout).toMatch(/粮油帮困\s+grain_oil/);
  });

  it('needs exactly one population source', () => {
    const none = run('simulate', '--month', '2022-08');
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('请指定一个人口来源');
    const two = run('simulate', '--month', '2022-08', '--demo', '--persons', '10', '--registry');
    expect(two.status).toBe(1);
    const noPersons = run('simulate', '--month', '2022-08', '--demo');
    expect(noPersons.stderr).toContain('--persons 为必填项');
  });

  it('gives the same totals from the generator and from the registry it was loaded into', () => {
    const env = { ...process.env, MINZHENG_DATA_DIR: join(dir, 'data') };
    // simulate --demo ages the population to the month's last day; the registry is loaded as of that day.
    const load = spawnSync(
      './bin/minzheng',
      ['demo', 'generate', '--persons', '1500', '--seed', 's', '--as-of', '2022-08-31'],
      { encoding: 'utf8', env },
    );
    expect(load.status, load.stderr).toBe(0);
    const args = ['simulate', '--month', '2022-08', '--json'];
    const registry = spawnSync('./bin/minzheng', [...args, '--registry'], { encoding: 'utf8', env });
    const demo = run(...args, '--demo', '--persons', '1500', '--seed', 's');
    expect(registry.status, registry.stderr).toBe(0);
    expect(demo.status, demo.stderr).toBe(0);
    const totals = JSON.parse(demo.stdout) as { households: number; totals: { program: string }[] };
    expect(totals.totals).toHaveLength(15);
    expect(totals.households).toBeGreaterThan(600);
    expect(registry.stdout).toBe(demo.stdout);
  });
});
