import { openBlockingFindings } from '../../controls/controls.service.ts';
import type { Db } from '../../db/store.ts';

/**
 * Internal control's blocking findings of a run that are still open (src/controls/controls.service.ts).
 * Approval is refused while this is above 0.
 */
export function blockingFindingsOf(db: Db, districtCode: string, runId: string): Promise<number> {
  return openBlockingFindings(db, districtCode, runId);
}
