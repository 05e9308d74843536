import { z } from 'zod';
import { JOB_RUNNER } from '../../auth/roles.ts';
import { divisionScope } from '../../auth/scope.ts';
import { calendarOf } from '../../calendar/calendar.service.ts';
import { defineJobKind } from '../../jobs/job-kind.ts';
import { openDueReviews } from './review.service.ts';

export const REVIEWS_KIND = 'cases.reviews.open';

export interface OpenReviewsPayload {
  districtCode: string;
  /** Households due for review by this month (YYYY-MM). */
  month: string;
}

/**
 * 批量开启定期复审: every household of the district (or the job's street) due for review by the month and
 * without an open review case gets one, in batches of households by id (the cursor). Re-running opens nothing
 * twice: a household with an open review case is not due for a new one, and two runs take turns on the
 * district's lock. A batch cut off is rolled back whole and redone from the cursor.
 */
export const openReviewsJob = defineJobKind<OpenReviewsPayload>({
  kind: REVIEWS_KIND,
  label: '开启定期复审',
  payload: z
    .object({
      districtCode: z.string().regex(/^31\d{4}$/, '区划代码须为 6 位区代码'),
      month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式为 YYYY-MM'),
    })
    .strict(),
  viewPermission: 'cases.view',
  startPermission: 'cases.accept',
  run: async ({ job, payload, cursor, limit, batch }, ctx) => {
    const calendar = await calendarOf(ctx.store);
    const after = typeof cursor === 'string' ? cursor : '00000000-0000-0000-0000-000000000000';
    // The job's division bounds it (a street's caseworker opens their street's reviews); the system role acts.
    const caller = { scope: divisionScope(job.divisionCode), role: JOB_RUNNER.role, userId: job.createdBy };
    return ctx.unit(async (tx) => {
      const r = await openDueReviews(tx, caller, calendar, {
        districtCode: payload.districtCode,
        month: payload.month,
        after,
        limit,
        batchKey: `${job.id}#${batch}`,
      });
      return {
        cursor: r.last ?? after,
        progress: r.opened,
        finished: r.finished,
      };
    });
  },
});
