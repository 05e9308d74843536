import type { ServerDeps, ZodApp } from '../context.ts';
import { registerAdviserRoutes } from './advisers.routes.ts';
import { registerAuditRoutes } from './audit.routes.ts';
import { registerAuthRoutes } from './auth.routes.ts';
import { registerBackupRoutes } from './backup.routes.ts';
import { registerCalendarRoutes } from './calendar.routes.ts';
import { registerDocumentRoutes } from './documents.routes.ts';
import { registerExportRoutes } from './export.routes.ts';
import { registerFactRoutes } from './facts.routes.ts';
import { registerFileRoutes } from './files.routes.ts';
import { registerHealthRoutes } from './health.routes.ts';
import { registerImportRoutes } from './import.routes.ts';
import { registerJobRoutes } from './jobs.routes.ts';
import { registerPolicyRoutes } from './policy.routes.ts';
import { registerRegistryEditRoutes } from './registry-edits.routes.ts';
import { registerTransferRoutes } from './transfers.routes.ts';
import { registerRegistryRoutes } from './registry.routes.ts';
import { registerStatisticsRoutes } from './statistics.routes.ts';
import { registerStatisticsTableRoutes } from './statistics-tables.routes.ts';
import { registerUserRoutes } from './users.routes.ts';
import { registerVerificationPackageRoutes } from './verification-packages.routes.ts';
import { registerVerificationRecheckRoutes } from './verification-rechecks.routes.ts';
import { registerVerificationReportRoutes } from './verification-reports.routes.ts';
import { registerVerificationRoutes } from './verifications.routes.ts';
import { registerCaseRoutes } from './cases.routes.ts';
import { registerCaseReviewRoutes } from './case-reviews.routes.ts';
import { registerCaseNoticeRoutes } from './case-notices.routes.ts';
import { registerEntitlementRoutes } from './entitlements.routes.ts';
import { registerRelativesRoutes } from './relatives.routes.ts';
import { registerPublicCaseRoutes } from './public-cases.routes.ts';
import { registerParameterChangeRoutes } from './parameter-changes.routes.ts';
import { registerArchiveRoutes } from './archives.routes.ts';
import { registerFindingRoutes } from './findings.routes.ts';
import { registerPayrollRoutes } from './payroll.routes.ts';
import { registerOnboardingRoutes } from './payroll-onboarding.routes.ts';
import { registerPayeeRoutes } from './payees.routes.ts';
import { registerEventRoutes } from './events.routes.ts';
import { registerBankRoutes } from './payroll-bank.routes.ts';

/** Every route module, in the order the OpenAPI document lists them. */
export const routeModules: ReadonlyArray<(app: ZodApp, deps: ServerDeps) => void> = [
  registerHealthRoutes,
  registerAuthRoutes,
  registerUserRoutes,
  registerRegistryRoutes,
  registerRegistryEditRoutes,
  registerTransferRoutes,
  registerFactRoutes,
  registerImportRoutes,
  registerJobRoutes,
  registerExportRoutes,
  registerPolicyRoutes,
  registerParameterChangeRoutes,
  registerDocumentRoutes,
  registerCalendarRoutes,
  registerStatisticsRoutes,
  registerStatisticsTableRoutes,
  registerAuditRoutes,
  registerBackupRoutes,
  registerFileRoutes,
  registerVerificationRoutes,
  registerVerificationReportRoutes,
  registerVerificationRecheckRoutes,
  registerVerificationPackageRoutes,
  registerAdviserRoutes,
  registerEntitlementRoutes,
  registerRelativesRoutes,
  registerCaseNoticeRoutes,
  registerCaseReviewRoutes,
  registerCaseRoutes,
  registerPublicCaseRoutes,
  registerOnboardingRoutes,
  registerArchiveRoutes,
  registerFindingRoutes,
  registerPayeeRoutes,
  registerBankRoutes,
  registerPayrollRoutes,
  registerEventRoutes,
];
