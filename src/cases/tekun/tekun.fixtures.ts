import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { selectRows } from '../../db/sql.ts';
import type { Store } from '../../db/store.ts';
import { databaseFileStore } from '../../files/file-store.ts';
import { pdfBytes } from '../../files/files.fixtures.ts';
import { attachFile } from '../../files/files.service.ts';
import { discardStaged, newStagingPath, stageBytes } from '../../files/staging.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { actor, CASEWORKER } from '../cases.fixtures.ts';
import type { Step } from '../cases.steps.ts';

/**
 * Test fixtures of 特困人员认定 and 先行救助: a case of the entitlements fixtures (a household with a verification
 * report) put in the state a test starts from, as the cases module leaves it there, and a file on the case.
 */

/** Puts a seeded case in `state` with `steps` (the state the earlier steps would have left it in). */
export async function placeCase(
  store: Store,
  caseId: string,
  state: string,
  steps: readonly Step[],
  decider: 'district' | 'street' = 'district',
): Promise<number> {
  const stepsSql = sql.raw(`array[${steps.map((s) => `'${s}'`).join(',')}]::text[]`);
  const rows = await selectRows<{ version: number }>(
    store.db,
    sql`update cases set state = ${state}, required_steps = ${stepsSql}, decider = ${decider},
      version = version + 1 where district_code = '310110' and id = ${caseId}::uuid returning version`,
  );
  return Number(rows[0]!.version);
}

/** A PDF attached to the case by the street caseworker (an assessment form). */
export async function caseFile(
  store: Store,
  caseId: string,
  name = '生活自理能力评估表.pdf',
): Promise<string> {
  const path = await newStagingPath(mkdtempSync(join(tmpdir(), 'mz-tekun-')));
  try {
    const staged = await stageBytes(pdfBytes(`${name} ${caseId}`), path);
    const view = await inUnitOfWork(store, actor(CASEWORKER, '上传认定材料'), (tx) =>
      attachFile(tx, databaseFileStore(), CASEWORKER, {
        entity: { entityType: 'case', districtCode: '310110', entityId: caseId },
        kind: 'other',
        name,
        staged,
        maxBytes: 1024 * 1024,
      }),
    );
    return view.id;
  } finally {
    await discardStaged(path);
  }
}
