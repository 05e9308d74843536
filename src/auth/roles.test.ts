import { describe, expect, it } from 'vitest';
import {
  divisionRuleOf,
  hasPermission,
  levelsOf,
  menusOf,
  permissionsOf,
  roleFitsDivision,
  roleList,
  scopeOf,
} from './roles.ts';

describe('roles', () => {
  it('gives the menus of the contract', () => {
    expect(menusOf('admin')).toEqual([
      'dashboard',
      'persons',
      'households',
      'transfers',
      'import',
      'calculator',
      'parameters',
      'calendar',
      'simulate',
      'jobs',
      'audit',
      'users',
      'backup',
    ]);
    expect(menusOf('finance_officer')).toEqual([
      'dashboard',
      'calculator',
      'parameters',
      'calendar',
      'simulate',
    ]);
    expect(menusOf('auditor')).toEqual([
      'dashboard',
      'persons',
      'households',
      'transfers',
      'calculator',
      'parameters',
      'calendar',
      'simulate',
      'jobs',
      'audit',
    ]);
    expect(menusOf('committee_assistant')).toContain('import');
    expect(menusOf('district_approver')).not.toContain('import');
  });

  it('unmask is for caseworkers, approvers, verification officers and admins only', () => {
    const can = roleList.filter((role) => hasPermission(role, 'person.unmask'));
    expect(can.sort()).toEqual(['admin', 'district_approver', 'street_caseworker', 'verification_officer']);
  });

  it('the auditor reads and writes nothing beyond reading', () => {
    const writes = permissionsOf('auditor').filter((p) =>
      ['registry.write', 'registry.import', 'person.unmask', 'users.manage'].includes(p),
    );
    expect(writes).toEqual([]);
  });

  it('every user, the auditor included, is bound to their division; the city code 310000 sees the whole city', () => {
    for (const role of roleList) {
      expect(scopeOf({ role, divisionCode: '310110012' })).toEqual({ kind: 'division', code: '310110012' });
    }
    expect(scopeOf({ role: 'auditor', divisionCode: '310110' })).toEqual({
      kind: 'division',
      code: '310110',
    });
    expect(scopeOf({ role: 'auditor', divisionCode: '310000' })).toEqual({ kind: 'all' });
    expect(scopeOf({ role: 'admin', divisionCode: '310000' })).toEqual({ kind: 'all' });
  });
});

describe('role → division levels', () => {
  it('lists the levels each role may be bound to', () => {
    expect(Object.fromEntries(roleList.map((role) => [role, levelsOf(role)]))).toEqual({
      committee_assistant: ['committee'],
      street_caseworker: ['street'],
      district_approver: ['district'],
      verification_officer: ['district'],
      finance_officer: ['district'],
      auditor: ['district', 'city'],
      admin: ['district', 'city'],
    });
  });

  it('a role fits only a division of its levels', () => {
    const cases: [Parameters<typeof roleFitsDivision>[0], string, boolean][] = [
      ['committee_assistant', '310110012001', true],
      ['committee_assistant', '310110012', false],
      ['committee_assistant', '310110', false],
      ['street_caseworker', '310110012', true],
      ['street_caseworker', '310110012001', false],
      ['street_caseworker', '310110', false],
      ['district_approver', '310110', true],
      ['district_approver', '310000', false],
      ['district_approver', '310110012', false],
      ['verification_officer', '310110', true],
      ['verification_officer', '310000', false],
      ['finance_officer', '310110', true],
      ['finance_officer', '310110012001', false],
      ['auditor', '310110', true],
      ['auditor', '310000', true],
      ['auditor', '310110012', false],
      ['admin', '310110', true],
      ['admin', '310000', true],
      ['admin', '310110012001', false],
    ];
    for (const [role, code, fits] of cases)
      expect(roleFitsDivision(role, code), `${role} ${code}`).toBe(fits);
  });

  it('says in Chinese which division a role needs', () => {
    expect(divisionRuleOf('committee_assistant')).toBe('居委会助理员须属于居委会/村委会（12 位区划代码）');
    expect(divisionRuleOf('auditor')).toBe('审计员须属于区（6 位区划代码）或全市（310000）');
  });
});
