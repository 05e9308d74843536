import { JobKinds } from '../job-kind.ts';
import { auditCheckpointJob } from './audit-checkpoint.job.ts';
import { backupJob } from './backup.job.ts';
import { registryImportJob } from './registry-import.job.ts';
import { verificationGatherJob } from './verification-gather.job.ts';
import { verificationRecheckJob } from './verification-recheck.job.ts';
import { payrollRunJob } from './payroll-run.job.ts';
import { openReviewsJob } from '../../cases/reviews/reviews.job.ts';
import { eventsDeriveJob, eventsProcessJob } from './events.job.ts';

/**
 * The kinds of job this installation runs. A module adds its kind here (one line) beside its handler
 * file in this folder; the server, the workers and `jobs run` all know the same kinds.
 */
export function builtinJobKinds(): JobKinds {
  return new JobKinds()
    .register(registryImportJob)
    .register(auditCheckpointJob)
    .register(backupJob)
    .register(verificationGatherJob)
    .register(verificationRecheckJob)
    .register(openReviewsJob)
    .register(payrollRunJob)
    .register(eventsDeriveJob)
    .register(eventsProcessJob);
}

let installed: JobKinds | undefined;

/** This process's kinds (built once). */
export function jobKinds(): JobKinds {
  installed ??= builtinJobKinds();
  return installed;
}
