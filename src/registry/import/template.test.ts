import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { ALL } from '../../auth/scope.ts';
import { describeStores } from '../../../test/support/stores.ts';
import { HEADERS } from './columns.ts';
import { importRoster } from './roster.fixtures.ts';
import { openSource } from './source.ts';
import { TEMPLATE_CSV, TEMPLATE_XLSX, templateNotes, writeTemplates } from './template.ts';

const committed = fileURLToPath(new URL('../../../templates/', import.meta.url));

async function sheetRows(path: string): Promise<string[][]> {
  const source = await openSource(path);
  const rows: string[][] = [];
  for await (const row of source.rows())
    rows.push(row.cells.map((c) => (c === null ? '' : String(c as string))));
  return rows;
}

it('the committed templates are the ones the column definitions generate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mz-template-'));
  await writeTemplates(dir);
  expect(readFileSync(join(committed, TEMPLATE_CSV), 'utf8')).toBe(
    readFileSync(join(dir, TEMPLATE_CSV), 'utf8'),
  );
  const rows = await sheetRows(join(committed, TEMPLATE_XLSX));
  expect(rows).toEqual(await sheetRows(join(dir, TEMPLATE_XLSX)));
  expect(rows[0]).toEqual(HEADERS);
  const notes = templateNotes();
  const columnRows = notes.slice(notes.findIndex((r) => r[0] === '列名') + 1);
  expect(columnRows.map((r) => r[0])).toEqual(HEADERS);
});

describeStores('roster templates', (ctx) => {
  it.each([TEMPLATE_XLSX, TEMPLATE_CSV])('%s passes a dry-run import as it is', async (name) => {
    const actor = { userId: 'tester', divisionCode: null, reason: '模板校验' };
    const report = await importRoster(ctx.store, join(committed, name), {
      scope: ALL,
      actor,
      dryRun: true,
    });
    expect(report.errors).toEqual([]);
    expect(report).toMatchObject({ ok: true, households: 1, persons: 1 });
  });
});
