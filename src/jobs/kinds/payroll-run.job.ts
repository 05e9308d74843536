import { z } from 'zod';
import { computeBatch, type ComputeCursor } from '../../payroll/compute/compute.service.ts';
import { installedParameters, type RunParameters } from '../../payroll/compute/parameters.ts';
import { defineJobKind, type JobCursor, type JobKind } from '../job-kind.ts';

export const PAYROLL_RUN_KIND = 'payroll.run';

export interface PayrollRunPayload {
  districtCode: string;
  runId: string;
}

const payload = z
  .object({
    districtCode: z.string().regex(/^31\d{4}$/, '区划代码须为 6 位区代码'),
    runId: z.string().uuid('发放批次编号无效'),
  })
  .strict();

/** Target time of a batch by store, and the most households one batch takes. */
const PAYROLL_BATCH_MS = { postgres: 3000, pglite: 1000 } as const;
const PAYROLL_MAX_HOUSEHOLDS = 5000;

export interface PayrollRunKindOptions {
  /** Tests: the parameters to compute with (default: the parameter-changes module's, else the shipped files). */
  parameters?: RunParameters;
  initialLimit?: number;
  /** Tests: called inside each batch's unit after its writes (a kill point). */
  afterBatch?: (batch: number) => void | Promise<void>;
}

/**
 * 发放计算 (src/payroll/compute/compute.service.ts): a district's run for its month, in batches of households
 * (cursor: the phase, the last household or carried line, the next line number), each batch one unit of work
 * with its lines, ledger entries and audit record; the last batch runs the controls and moves the run to
 * 待复核 with its totals. Queued by the run's start (src/payroll/runs, key `districtCode:month`).
 */
export function payrollRunJobKind(options: PayrollRunKindOptions = {}): JobKind<PayrollRunPayload> {
  return defineJobKind({
    kind: PAYROLL_RUN_KIND,
    label: '发放计算',
    payload,
    viewPermission: 'payroll.view',
    // The run's start passes `districtCode:month`; queued otherwise, one job per run.
    idempotencyKey: (p) => `${p.districtCode}:${p.runId}`,
    initialLimit: options.initialLimit ?? 200,
    batchMs: { postgres: PAYROLL_BATCH_MS.postgres, pglite: PAYROLL_BATCH_MS.pglite },
    maxLimit: PAYROLL_MAX_HOUSEHOLDS,
    step: async (tx, { job, payload: p, cursor, limit, batch }) => {
      const params = options.parameters ?? installedParameters;
      const out = await computeBatch(
        tx,
        {
          districtCode: p.districtCode,
          runId: p.runId,
          jobId: job.id,
          batch,
          limit,
          cursor: cursor as unknown as ComputeCursor | null,
        },
        params,
      );
      await options.afterBatch?.(batch);
      return {
        cursor: out.cursor as unknown as JobCursor,
        progress: out.progress,
        finished: out.finished,
        result: out.result,
      };
    },
  });
}

export const payrollRunJob = payrollRunJobKind();
