/**
 * The process the payroll SIGKILL test kills (not a test file itself): runs the `payroll.run` jobs queued on
 * the store named by MZ_KILL_STORE (`pglite:<dir>` or `postgres:<url>|<schema>`) until nothing is left,
 * saying `BATCH <n>` inside each batch's transaction (after its writes, before it commits) so that the test
 * kills it mid-way.
 */
import { loadConfig } from '../../config.ts';
import { openPglite, openPostgres, type Store } from '../../db/store.ts';
import { JobKinds } from '../../jobs/job-kind.ts';
import { payrollRunJobKind } from '../../jobs/kinds/payroll-run.job.ts';
import { JobRunner } from '../../jobs/runner.ts';
import { baselineRunParameters } from './parameters.ts';

const spec = process.env.MZ_KILL_STORE ?? '';

async function open(): Promise<Store> {
  if (spec.startsWith('pglite:')) return openPglite(spec.slice('pglite:'.length));
  const [url, schema] = spec.slice('postgres:'.length).split('|');
  return openPostgres(url ?? '', { searchPath: schema ?? 'public', max: 2 });
}

const store = await open();
try {
  const kinds = new JobKinds().register(
    payrollRunJobKind({
      parameters: baselineRunParameters,
      initialLimit: 10,
      afterBatch: async (batch) => {
        process.stdout.write(`BATCH ${batch}\n`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
    }),
  );
  const runner = new JobRunner({
    store,
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    kinds,
    batchMs: 20,
    schedules: false,
    retryDelayMs: () => 0,
  });
  const summary = await runner.runUntilIdle();
  process.stdout.write(`DONE ${JSON.stringify(summary)}\n`);
} finally {
  await store.close();
}
