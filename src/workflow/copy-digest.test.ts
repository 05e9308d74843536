import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CsvChunks, Db, Session } from '../db/store.ts';
import { CopyDigest, digestingCopies } from './copy-digest.ts';

/** A session whose COPY reads every chunk and reports a row per line, as the server would. */
function fakeSession(received: Map<string, string>): Session {
  return {
    db: {} as Db,
    copyFrom: async (table: string, _columns: readonly string[], chunks: CsvChunks) => {
      let text = '';
      for await (const chunk of chunks)
        text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      received.set(table, (received.get(table) ?? '') + text);
      return text.split('\n').filter(Boolean).length;
    },
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const PERSONS = ['p', 'name'] as const;
const HOUSEHOLDS = ['h'] as const;

describe('CopyDigest', () => {
  it('counts the rows each COPY reported and digests exactly the data sent, table by table', async () => {
    const received = new Map<string, string>();
    const digest = new CopyDigest();
    const load = digestingCopies(fakeSession(received), digest);
    expect(await load.copyFrom('persons', PERSONS, ['1,"张三"\n2,"李四"\n', Buffer.from('3,"王五"\n')])).toBe(
      3,
    );
    expect(
      await load.copyFrom(
        'households',
        HOUSEHOLDS,
        (function* () {
          yield 'h1\n';
        })(),
      ),
    ).toBe(1);
    expect(await load.copyFrom('persons', PERSONS, ['4,"赵六"\n'])).toBe(1);
    // The database got every chunk, unchanged.
    expect(received.get('persons')).toBe('1,"张三"\n2,"李四"\n3,"王五"\n4,"赵六"\n');
    expect(digest.count).toBe(5);
    expect(digest.counts()).toEqual({ persons: 4, households: 1 });
    const expected = sha256(
      `households(h) 1 ${sha256('h1\n')}\n` +
        `persons(p,name) 4 ${sha256('1,"张三"\n2,"李四"\n3,"王五"\n4,"赵六"\n')}\n`,
    );
    expect(digest.hex()).toBe(expected);
    expect(digest.hex()).toBe(expected); // the same on a second call (the unit of work asks again)
  });

  it('does not depend on how the data was cut into chunks and statements, only on what it is', async () => {
    const load = async (plan: [string, readonly string[], string[]][]) => {
      const digest = new CopyDigest();
      const session = digestingCopies(fakeSession(new Map()), digest);
      for (const [table, columns, chunks] of plan) await session.copyFrom(table, columns, chunks);
      return digest.hex();
    };
    const one = await load([
      ['persons', PERSONS, ['1,a\n2,b\n']],
      ['households', HOUSEHOLDS, ['h1\n']],
    ]);
    const two = await load([
      ['households', HOUSEHOLDS, ['h', '1\n']],
      ['persons', PERSONS, ['1,a\n']],
      ['persons', PERSONS, ['2,b\n']],
    ]);
    expect(two).toBe(one);
    expect(
      await load([
        ['persons', PERSONS, ['1,a\n2,c\n']],
        ['households', HOUSEHOLDS, ['h1\n']],
      ]),
    ).not.toBe(one);
    expect(
      await load([
        ['persons', ['p', 'nom'], ['1,a\n2,b\n']],
        ['households', HOUSEHOLDS, ['h1\n']],
      ]),
    ).not.toBe(one);
  });

  it('counts rows only from COPY loads, and nothing after its digest was taken', async () => {
    const digest = new CopyDigest();
    expect(() => digest.add({ a: 1 })).toThrow(/digestingCopies/);
    const load = digestingCopies(fakeSession(new Map()), digest);
    await load.copyFrom('persons', PERSONS, ['1,a\n']);
    await expect(load.copyFrom('persons', ['p'], ['2\n'])).rejects.toThrow(/two column lists/);
    digest.hex();
    await expect(load.copyFrom('persons', PERSONS, ['3,c\n'])).rejects.toThrow(/already taken/);
  });
});
