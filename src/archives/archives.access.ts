import { defineModuleAccess } from '../auth/access.ts';

/**
 * 电子档案 (docs/archives.md): one page per recipient with every case, decision, verification report,
 * notice, entitlement, payment, recovery item and visit, and the whole of it as one PDF. Reading is for the
 * street caseworker (their street's recipients), the approver, finance and the auditor (their district); every
 * read is scoped. ID numbers are always masked in the archive; account numbers are shown in full only to whom
 * the entitlements module lets see them (entitlements.account). Downloading the PDF is audited.
 */
export const archivesAccess = defineModuleAccess({
  module: '电子档案',
  permissions: {
    'archives.view': '查看与导出救助对象电子档案（身份证号、账号脱敏）',
  },
  grants: {
    street_caseworker: ['archives.view'],
    district_approver: ['archives.view'],
    finance_officer: ['archives.view'],
    auditor: ['archives.view'],
    admin: ['archives.view'],
  },
});
