import { describe, expect, it } from 'vitest';
import { POPULATION_TABLES, ROW_WRITERS, type PopulationTable } from './csv.ts';
import { generatePopulation } from './generator.ts';
import { GeneratorThread } from './generator-thread.ts';

const options = { persons: 20_000, seed: 'thread' };

function inThread(): Map<PopulationTable, string> {
  const text = new Map(POPULATION_TABLES.map((t) => [t, '']));
  for (const h of generatePopulation(options)) {
    for (const t of POPULATION_TABLES) text.set(t, text.get(t)! + ROW_WRITERS[t](h));
  }
  return text;
}

describe('GeneratorThread', () => {
  it('hands over exactly the rows the generator makes in this thread, chunks ending on a row', async () => {
    const expected = inThread();
    // With three years of history a person may have ended memberships too: as many as the rows written.
    const memberships = expected.get('household_members')!.split('\n').length - 1;
    expect(memberships).toBeGreaterThanOrEqual(20_000);
    const thread = new GeneratorThread(options);
    const text = new Map(POPULATION_TABLES.map((t) => [t, '']));
    try {
      for (;;) {
        const next = await thread.next();
        if (next.kind === 'done') {
          expect(next).toMatchObject({ persons: 20_000, memberships });
          break;
        }
        const rows = next.bytes.toString('utf8');
        expect(rows.endsWith('\n')).toBe(true);
        text.set(next.table, text.get(next.table)! + rows);
        thread.release(1);
      }
    } finally {
      await thread.close();
    }
    expect(text).toEqual(expected);
  });

  it('stops when its window of unreleased chunks is full, and goes on when released', async () => {
    const thread = new GeneratorThread(options, 2);
    const pause = (ms: number) =>
      new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), ms));
    try {
      await thread.next();
      await thread.next();
      await expect(Promise.race([thread.next(), pause(500)])).resolves.toBe('waiting');
      thread.release(2);
      await expect(thread.next()).resolves.toMatchObject({ kind: 'chunk' });
    } finally {
      await thread.close();
    }
  });

  it('reports bad options in the calling thread', () => {
    expect(() => new GeneratorThread({ persons: 0, seed: 'x' })).toThrow('人数必须是正整数');
  });
});
