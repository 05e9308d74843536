import { describe, expect, it } from 'vitest';
import type { Role } from '../roles.ts';
import type { AuthUser } from '../user.ts';
import { auditPolicy } from './audit.policy.ts';
import { householdPolicy } from './household.policy.ts';
import { importPolicy } from './import.policy.ts';
import { personPolicy } from './person.policy.ts';
import { userPolicy } from './user.policy.ts';

const user = (role: Role, divisionCode: string, id = `${role}-${divisionCode}`): AuthUser => ({
  id,
  username: id,
  displayName: id,
  role,
  divisionCode,
  mustChangePassword: false,
});

const kongjiang = { residenceDivisionCode: '310110012001' };
const yinhang = { residenceDivisionCode: '310110016003' };

describe('person policy', () => {
  it('a street caseworker views and unmasks in their street only', () => {
    const caseworker = user('street_caseworker', '310110012');
    expect(personPolicy.canView(caseworker, kongjiang)).toBe(true);
    expect(personPolicy.canUnmask(caseworker, kongjiang)).toBe(true);
    expect(personPolicy.canView(caseworker, yinhang)).toBe(false);
    expect(personPolicy.canUnmask(caseworker, yinhang)).toBe(false);
  });
  it('a committee assistant views but may not unmask', () => {
    const assistant = user('committee_assistant', '310110012001');
    expect(personPolicy.canView(assistant, kongjiang)).toBe(true);
    expect(personPolicy.canUnmask(assistant, kongjiang)).toBe(false);
    expect(personPolicy.canWrite(assistant, kongjiang)).toBe(true);
    expect(personPolicy.canView(assistant, { residenceDivisionCode: '310110012003' })).toBe(false);
  });
  it('the auditor views everywhere, unmasks and writes nowhere', () => {
    const auditor = user('auditor', '310110');
    expect(personPolicy.canView(auditor, yinhang)).toBe(true);
    expect(personPolicy.canView(auditor, { residenceDivisionCode: '310101002001' })).toBe(true);
    expect(personPolicy.canUnmask(auditor, yinhang)).toBe(false);
    expect(personPolicy.canWrite(auditor, yinhang)).toBe(false);
  });
  it('finance staff do not see the registry', () => {
    const finance = user('finance_officer', '310110');
    expect(personPolicy.canList(finance)).toBe(false);
    expect(personPolicy.canView(finance, kongjiang)).toBe(false);
  });
});

describe('household, import, audit and user policies', () => {
  it('households follow the committee code', () => {
    const caseworker = user('street_caseworker', '310110016');
    expect(householdPolicy.canView(caseworker, { committeeCode: '310110016003' })).toBe(true);
    expect(householdPolicy.canView(caseworker, { committeeCode: '310110012001' })).toBe(false);
    expect(householdPolicy.canExport(user('verification_officer', '310110'))).toBe(false);
    expect(
      householdPolicy.canCalculate(user('finance_officer', '310110'), { committeeCode: '310110016003' }),
    ).toBe(false);
  });
  it("imports go into the importer's own division", () => {
    const assistant = user('committee_assistant', '310110012001');
    expect(importPolicy.canImportInto(assistant, '310110012001')).toBe(true);
    expect(importPolicy.canImportInto(assistant, '310110012003')).toBe(false);
    expect(importPolicy.canImport(user('district_approver', '310110'))).toBe(false);
  });
  it('audit is for auditors and admins', () => {
    expect(auditPolicy.canRead(user('auditor', '310110'))).toBe(true);
    expect(auditPolicy.canRead(user('admin', '310110'))).toBe(true);
    expect(auditPolicy.canRead(user('street_caseworker', '310110012'))).toBe(false);
  });
  it('an admin manages users in their district, not their own password by reset', () => {
    const admin = user('admin', '310110', 'boss');
    expect(userPolicy.canManage(admin, { divisionCode: '310110012' })).toBe(true);
    expect(userPolicy.canManage(admin, { divisionCode: '310101' })).toBe(false);
    expect(userPolicy.canResetPassword(admin, { id: 'boss', divisionCode: '310110' })).toBe(false);
    expect(userPolicy.canManage(user('auditor', '310110'), { divisionCode: '310110' })).toBe(false);
  });
});
