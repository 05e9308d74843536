import { download, http } from '../../../api/request.ts';
import type { ImportError } from '../../../api/types.ts';

/** 在保对象导入: the console's calls (src/http/routes/payroll-onboarding.routes.ts). */

export interface RecipientImportReport {
  ok: boolean;
  dryRun: boolean;
  rows: number;
  entitlements: number;
  payeeAccounts: number;
  openingEntries: number;
  openingFen: number;
  errors: ImportError[];
  errorCount: number;
}

export const onboardingApi = {
  template: () => download('/api/payroll/onboarding/template', {}, '在保对象导入模板.xlsx'),
  upload: (file: File, dryRun: boolean, reason: string) => {
    const form = new FormData();
    form.set('dryRun', String(dryRun));
    form.set('reason', reason);
    form.set('file', file, file.name);
    return http.upload<RecipientImportReport>('/api/payroll/onboarding/import', form, { silent: true });
  },
};
