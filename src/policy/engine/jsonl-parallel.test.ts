import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedFile } from '../../../test/support/shared.ts';
import { splitRanges } from './jsonl-parallel.ts';
import { parseMonth } from './month.ts';
import { baselineParameters } from './parameter-store.ts';
import { HOUSEHOLD_COLUMNS, PERSON_COLUMNS, type Population } from './population.ts';
import { BatchLineError, readJsonlPopulation } from './population-source.ts';
import { simulate } from './simulate.ts';
import { simulateJsonl } from './simulate-file.ts';
import type { ReformSpec } from './jsonl-protocol.ts';

const MONTH = '2022-08';
const dir = mkdtempSync(join(tmpdir(), 'mz-jsonl-parallel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 3,000 households of the benchmark generator (boundary cases, compact lines, non-Shanghai members). */
const generated = join(dir, 'hh3000.jsonl');
let lines: string[] = [];
beforeAll(() => {
  const gen = spawnSync('python3', [sharedFile('bench/gen_households.py'), '3000', '20220801', generated], {
    encoding: 'utf8',
  });
  expect(gen.status, gen.stderr).toBe(0);
  lines = readFileSync(generated, 'utf8').split('\n').filter(Boolean);
});

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function columns(pop: Population): Record<string, number[]> {
  const out: Record<string, number[]> = { memberStart: Array.from(pop.memberStart) };
  for (const c of [...HOUSEHOLD_COLUMNS, ...PERSON_COLUMNS]) out[c] = Array.from(pop[c]);
  return out;
}

async function failure(p: Promise<unknown>): Promise<BatchLineError> {
  const error = await p.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BatchLineError);
  return error as BatchLineError;
}

const plus90: ReformSpec = {
  label: 'plus90',
  reform: {
    description: '+90',
    parameters: {
      'dibao.standard': {
        values: [{ effective: '2022-07-01', value: 151000, status: 'assumption', source: 't' }],
      },
    },
  },
};

describe('splitRanges', () => {
  it('tiles the file with ranges that each start at a line (multi-byte characters never split)', () => {
    const text = lines
      .slice(0, 50)
      .map((l, i) => (i % 3 === 0 ? l.replace('"id":"m1"', '"id":"m1","name":"张三丰"') : l))
      .join('\n');
    const file = write('names.jsonl', `${text}\n`);
    const bytes = readFileSync(file);
    const ranges = splitRanges(file, bytes.length, 7);
    expect(ranges.length).toBeGreaterThan(1);
    expect(ranges[0]?.start).toBe(0);
    expect(ranges.at(-1)?.end).toBe(bytes.length);
    for (let i = 1; i < ranges.length; i++) {
      expect(ranges[i]?.start).toBe(ranges[i - 1]?.end);
      expect(bytes[(ranges[i]?.start as number) - 1]).toBe(0x0a);
    }
  });

  it('gives one range when no newline follows the cut', () => {
    const file = write('one-line.jsonl', lines[0] ?? '');
    expect(splitRanges(file, statSync(file).size, 4)).toEqual([{ start: 0, end: statSync(file).size }]);
  });
});

describe('parallel batch reading (worker threads)', () => {
  it('reads the same columns with 3 workers as on one thread', async () => {
    const one = await readJsonlPopulation(generated, MONTH, { workers: 1 });
    const three = await readJsonlPopulation(generated, MONTH, { workers: 3 });
    expect(three.householdCount).toBe(3000);
    expect(three.personCount).toBe(one.personCount);
    expect(columns(three)).toEqual(columns(one));
    expect(three.memberIds).toBeNull();
    const ids = await readJsonlPopulation(generated, MONTH, { workers: 3, keepMemberIds: true });
    expect(ids.memberIds).toEqual(
      (await readJsonlPopulation(generated, MONTH, { keepMemberIds: true })).memberIds,
    );
    expect(ids.memberIds?.length).toBe(one.personCount);
  });

  it('gives the totals of every program, baseline and reform, that one thread gives', async () => {
    const pop = await readJsonlPopulation(generated, MONTH, { workers: 1 });
    const m = parseMonth(MONTH);
    const baseline = baselineParameters();
    const single = simulate(pop, m, baseline);
    const reform = simulate(pop, m, baseline.withReform(plus90.reform, plus90.label));
    const parallel = await simulateJsonl(generated, MONTH, { workers: 3, reform: plus90 });
    expect(parallel.households).toBe(3000);
    expect(parallel.persons).toBe(pop.personCount);
    expect(parallel.baseline).toEqual(single);
    expect(parallel.reform).toEqual(reform);
    expect(single.find((t) => t.program === 'dibao')?.households).toBeGreaterThan(0);
    // and on this thread, block by block
    expect((await simulateJsonl(generated, MONTH, { workers: 1 })).baseline).toEqual(single);
  });

  it('numbers a bad line across ranges exactly as one thread does', async () => {
    const bad = lines.slice(0, 2400);
    bad[100] = ''; // blank lines count
    bad[2299] = (bad[2299] ?? '').replace(/"birthDate":"[^"]*"/, '"birthDate":"2022-09-01"');
    const file = write('bad.jsonl', `${bad.join('\n')}\n`);
    const single = await failure(readJsonlPopulation(file, MONTH, { workers: 1 }));
    expect(single.line).toBe(2300);
    expect(single.message).toMatch(/^第 2300 行 household\.members\[\d+\]\.birthDate：出生日期晚于计算月份/);
    const columnsError = await failure(readJsonlPopulation(file, MONTH, { workers: 3 }));
    const totalsError = await failure(simulateJsonl(file, MONTH, { workers: 3 }));
    expect(columnsError.message).toBe(single.message);
    expect(totalsError.message).toBe(single.message);
  });

  it('reports the first bad line of the file when several ranges have one', async () => {
    const bad = lines.slice(0, 2400);
    bad[2000] = '{oops';
    bad[500] = '{"month":"2022-08","household":{"members":[]}}';
    const file = write('two-bad.jsonl', `${bad.join('\n')}\n`);
    const error = await failure(simulateJsonl(file, MONTH, { workers: 4 }));
    expect(error.message).toBe('第 501 行 household.members：成员列表不能为空 (empty member list)');
  });

  it('reads an empty file as no households, every program at zero', async () => {
    const file = write('empty.jsonl', '');
    expect((await readJsonlPopulation(file, MONTH, { workers: 2 })).householdCount).toBe(0);
    const totals = await simulateJsonl(file, MONTH, { workers: 2 });
    expect(totals.households).toBe(0);
    expect(totals.baseline.length).toBe(15);
    expect(totals.baseline.every((t) => t.households === 0 && t.costFen === 0)).toBe(true);
  });

  it('reads a last line without a newline, and names a truncated one', async () => {
    const some = lines.slice(0, 1000);
    const file = write('no-final-newline.jsonl', some.join('\n'));
    const whole = await simulateJsonl(write('final-newline.jsonl', `${some.join('\n')}\n`), MONTH, {
      workers: 1,
    });
    const parallel = await simulateJsonl(file, MONTH, { workers: 3 });
    expect(parallel.households).toBe(1000);
    expect(parallel.baseline).toEqual(whole.baseline);
    const cut = write('truncated.jsonl', `${some.join('\n')}\n${(lines[1000] ?? '').slice(0, 40)}`);
    const error = await failure(simulateJsonl(cut, MONTH, { workers: 3 }));
    expect(error.message).toMatch(/^第 1001 行 \(根\)：JSON 格式错误/);
  });

  it('reads CRLF line endings as LF ones, with the same line numbers', async () => {
    const some = lines.slice(0, 1200);
    const lf = await simulateJsonl(write('lf.jsonl', `${some.join('\n')}\n`), MONTH, { workers: 1 });
    const crlf = write('crlf.jsonl', `${some.join('\r\n')}\r\n`);
    const parallel = await simulateJsonl(crlf, MONTH, { workers: 3 });
    expect(parallel.households).toBe(1200);
    expect(parallel.baseline).toEqual(lf.baseline);
    expect(columns(await readJsonlPopulation(crlf, MONTH, { workers: 3 }))).toEqual(
      columns(await readJsonlPopulation(crlf, MONTH, { workers: 1 })),
    );
    some[1100] = '{"month":"2022-08"}';
    const error = await failure(
      simulateJsonl(write('crlf-bad.jsonl', some.join('\r\n')), MONTH, { workers: 3 }),
    );
    expect(error.message).toBe('第 1101 行 household：缺少 household (required)');
  });
});
