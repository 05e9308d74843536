import { describe, expect, it } from 'vitest';
import { hasPermission, menusOf, permissionsOf, roleList, scopeOf } from './roles.ts';

describe('roles', () => {
  it('gives the menus of the contract', () => {
    expect(menusOf('admin')).toEqual([
      'dashboard',
      'persons',
      'households',
      'import',
      'calculator',
      'parameters',
      'audit',
      'users',
    ]);
    expect(menusOf('finance_officer')).toEqual(['dashboard', 'calculator', 'parameters']);
    expect(menusOf('auditor')).toEqual([
      'dashboard',
      'persons',
      'households',
      'calculator',
      'parameters',
      'audit',
    ]);
    expect(menusOf('committee_assistant')).toContain('import');
    expect(menusOf('district_approver')).not.toContain('import');
  });

  it('unmask is for caseworkers, approvers, verification officers and admins only', () => {
    const can = roleList.filter((role) => hasPermission(role, 'person.unmask'));
    expect(can.sort()).toEqual(['admin', 'district_approver', 'street_caseworker', 'verification_officer']);
  });

  it('the auditor reads everything and writes nothing', () => {
    expect(scopeOf({ role: 'auditor', divisionCode: '310110' })).toEqual({ kind: 'all' });
    const writes = permissionsOf('auditor').filter((p) =>
      ['registry.write', 'registry.import', 'person.unmask', 'users.manage'].includes(p),
    );
    expect(writes).toEqual([]);
  });

  it('everyone else is bound to their division', () => {
    for (const role of roleList.filter((r) => r !== 'auditor')) {
      expect(scopeOf({ role, divisionCode: '310110012' })).toEqual({ kind: 'division', code: '310110012' });
    }
  });
});
