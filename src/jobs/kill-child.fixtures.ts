/**
 * The process a SIGKILL test kills (not a test file itself): runs the items job of kill.test.ts on the
 * store named by MZ_KILL_STORE (src/jobs/kill-harness.fixtures.ts) until nothing is left, saying `BATCH <n>`
 * inside each batch's transaction (before it commits) so that the test kills it mid-way.
 */
import { itemsKind } from './items.fixtures.ts';
import { JobKinds } from './job-kind.ts';
import { runJobsInChild, sayBatch } from './kill-harness.fixtures.ts';

const table = process.env.MZ_KILL_TABLE ?? 'kill_items';

await runJobsInChild(
  new JobKinds().register(
    itemsKind({ table, initialLimit: 40, afterUpdate: ({ batch }) => sayBatch(batch) }),
  ),
);
