/**
 * The process the payroll SIGKILL test kills (not a test file itself): runs the `payroll.run` jobs queued on
 * the store named by MZ_KILL_STORE (src/jobs/kill-harness.fixtures.ts) until nothing is left, saying
 * `BATCH <n>` inside each batch's transaction (after its writes, before it commits) so that the test kills it
 * mid-way. MZ_KILL_CHANGE (JSON of an ApprovedChange, optional): a parameter change approved at its
 * `approvedAt`, in force from its effective month, as the parameter-changes module would give it.
 */
import { JobKinds } from '../../jobs/job-kind.ts';
import { payrollRunJobKind } from '../../jobs/kinds/payroll-run.job.ts';
import { runJobsInChild, sayBatch } from '../../jobs/kill-harness.fixtures.ts';
import { parseMonth } from '../../policy/engine/month.ts';
import { reformFromOverrides } from '../../policy/engine/reform-overrides.ts';
import { baselineParameters } from '../../policy/index.ts';
import { baselineRunParameters, type ApprovedChange, type RunParameters } from './parameters.ts';

function withChange(change: ApprovedChange): RunParameters {
  const base = baselineParameters();
  const changed = reformFromOverrides(
    base,
    [{ parameter: change.path, value: change.value }],
    parseMonth(change.effective.slice(0, 7)),
  );
  const approved = Date.parse(change.approvedAt);
  return {
    inForce: () => changed,
    approvedChangesSince: (_db, _d, since) => Promise.resolve(approved > Date.parse(since) ? [change] : []),
    approvedAsOf: (_db, iso) => Promise.resolve(Date.parse(iso) < approved ? base : changed),
  };
}

const change = process.env.MZ_KILL_CHANGE;
await runJobsInChild(
  new JobKinds().register(
    payrollRunJobKind({
      parameters: change ? withChange(JSON.parse(change) as ApprovedChange) : baselineRunParameters,
      initialLimit: 1,
      afterBatch: sayBatch,
    }),
  ),
  // Below any batch's time: the runner keeps batches of one household, so a run has many batches to kill.
  { batchMs: 1 },
);
