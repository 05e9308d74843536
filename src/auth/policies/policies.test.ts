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
  it('a district auditor views its district only; a city auditor the whole city; neither unmasks nor writes', () => {
    const auditor = user('auditor', '310110');
    expect(personPolicy.canView(auditor, yinhang)).toBe(true);
    expect(personPolicy.canView(auditor, { residenceDivisionCode: '310101002001' })).toBe(false);
    expect(personPolicy.canUnmask(auditor, yinhang)).toBe(false);
    expect(personPolicy.canWrite(auditor, yinhang)).toBe(false);
    const city = user('auditor', '310000');
    expect(personPolicy.canView(city, { residenceDivisionCode: '310101002001' })).toBe(true);
    expect(personPolicy.canUnmask(city, yinhang)).toBe(false);
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
    expect(userPolicy.canManage(admin, { role: 'street_caseworker', divisionCode: '310110012' })).toBe(true);
    expect(userPolicy.canManage(admin, { role: 'admin', divisionCode: '310101' })).toBe(false);
    expect(userPolicy.canResetPassword(admin, { id: 'boss', role: 'admin', divisionCode: '310110' })).toBe(
      false,
    );
    expect(userPolicy.canManage(user('auditor', '310110'), { role: 'auditor', divisionCode: '310110' })).toBe(
      false,
    );
  });
});

describe("user reach: role × division within the actor's own", () => {
  const districtAdmin = user('admin', '310110', 'district-admin');
  const cityAdmin = user('admin', '310000', 'city-admin');
  it('a district admin reaches its district and below, never the city level', () => {
    expect(userPolicy.canManage(districtAdmin, { role: 'auditor', divisionCode: '310110' })).toBe(true);
    expect(userPolicy.canManage(districtAdmin, { role: 'auditor', divisionCode: '310000' })).toBe(false);
    expect(userPolicy.canManage(districtAdmin, { role: 'admin', divisionCode: '310000' })).toBe(false);
    expect(userPolicy.canManage(districtAdmin, { role: 'district_approver', divisionCode: '310104' })).toBe(
      false,
    );
  });
  it('a city admin reaches every district and the city level', () => {
    expect(userPolicy.canManage(cityAdmin, { role: 'auditor', divisionCode: '310000' })).toBe(true);
    expect(userPolicy.canManage(cityAdmin, { role: 'admin', divisionCode: '310000' })).toBe(true);
    expect(userPolicy.canManage(cityAdmin, { role: 'finance_officer', divisionCode: '310104' })).toBe(true);
  });
  it("a target role's permissions must lie within the actor's", () => {
    // Only administrators manage users at all; an administrator holds every permission, so what stops
    // one is the division. The rule still reads as stated, so that a future role that manages users
    // without holding, say, unmask cannot mint an account that does.
    expect(userPolicy.roleWithin('admin', 'auditor')).toBe(true);
    expect(userPolicy.roleWithin('auditor', 'street_caseworker')).toBe(false);
    expect(userPolicy.roleWithin('street_caseworker', 'committee_assistant')).toBe(true);
  });
});
