import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import {
  addLine,
  check,
  findingsOf,
  seedCase,
  seedEntitlement,
  seedHousehold,
  seedRecheckChange,
  seedRelative,
  seedRun,
} from '../controls.fixtures.ts';
import { RULES } from './index.ts';

/**
 * Each rule's own test: a case that triggers it and one that does not, on the real tables. Each test has its
 * own month (one run per district and month), so the month-wide rules see only their own lines.
 */

describe('the rules', () => {
  it('have unique codes, a severity, Chinese names and descriptions', () => {
    const codes = RULES.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toHaveLength(10);
    for (const r of RULES) {
      expect(r.name).toMatch(/[\u4e00-\u9fff]/);
      expect(r.description).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(RULES.filter((r) => r.severity === 'blocking').map((r) => r.code)).toEqual([
      'payee_dead',
      'duplicate_id',
      'self_approved',
      'staff_relative',
    ]);
  });
});

describeStores('control rules', (ctx) => {
  let restore: () => void;
  beforeAll(() => (restore = setClock(fixedClock('2026-12-02T02:00:00Z'))));
  afterAll(() => restore());

  it('payee_dead: a payee or beneficiary dead before the month, not one who died in it', async () => {
    const run = await seedRun(ctx.store, { month: '2026-12' });
    const dead = await seedHousehold(ctx.store, [{ name: '钱已故', deathDate: '2026-10-15' }]);
    const inMonth = await seedHousehold(ctx.store, [{ name: '孙本月', deathDate: '2026-12-10' }]);
    const alive = await seedHousehold(ctx.store, [
      { name: '李健在' },
      { name: '李孩', deathDate: '2026-11-30' },
    ]);
    const flagged = await addLine(ctx.store, run, {
      householdId: dead.householdId,
      payeePersonId: dead.persons[0]!.id,
    });
    await addLine(ctx.store, run, {
      householdId: inMonth.householdId,
      payeePersonId: inMonth.persons[0]!.id,
    });
    const beneficiary = await addLine(ctx.store, run, {
      program: 'kunjing_child',
      householdId: alive.householdId,
      personId: alive.persons[1]!.id,
      payeePersonId: alive.persons[0]!.id,
      amountFen: 190_000,
    });
    const counts = await check(ctx.store, run);
    const found = await findingsOf(ctx.store, run.runId, 'payee_dead');
    expect(found.map((f) => f.lineNo)).toEqual([flagged, beneficiary]);
    expect(found[0]!.description).toContain('收款人钱已故于2026-10-15死亡');
    expect(found[1]!.description).toContain('受益人李孩');
    expect(found[1]!.description).toContain('1900.00 元');
    expect(counts.blocking).toBeGreaterThanOrEqual(2);
  });

  it('duplicate_id: one ID number paid twice for a program and period, across districts; not across programs', async () => {
    const run = await seedRun(ctx.store, { month: '2026-11' });
    const here = await seedHousehold(ctx.store, [
      { name: '周母' },
      { name: '周童', birthDate: '2016-03-03' },
    ]);
    const child = here.persons[1]!;
    const there = await seedHousehold(
      ctx.store,
      [{ name: '周童', birthDate: '2016-03-03', idNumber: child.idNumber }],
      {
        district: '310107',
      },
    );
    const putuo = await seedRun(ctx.store, { month: '2026-11', district: '310107' });
    const line = await addLine(ctx.store, run, {
      program: 'kunjing_child',
      householdId: here.householdId,
      personId: child.id,
      payeePersonId: here.persons[0]!.id,
    });
    await addLine(ctx.store, putuo, {
      program: 'kunjing_child',
      householdId: there.householdId,
      personId: there.persons[0]!.id,
      payeePersonId: there.persons[0]!.id,
    });
    // Another program for the same child is not a duplicate.
    await addLine(ctx.store, run, {
      program: 'grain_oil',
      householdId: here.householdId,
      personId: child.id,
      payeePersonId: here.persons[0]!.id,
      amountFen: 7_200,
    });
    await check(ctx.store, run);
    const found = await findingsOf(ctx.store, run.runId, 'duplicate_id');
    expect(found.map((f) => f.lineNo)).toEqual([line]);
    expect(found[0]!.description).toContain(`尾号 ${child.idNumber.slice(-4)}`);
    expect(found[0]!.description).not.toContain(child.idNumber);
    expect(found[0]!.description).toContain('2026-11 月发放批次');
  });

  it('self_approved: a decision decided by its preparer, not one decided by another', async () => {
    const run = await seedRun(ctx.store, { month: '2026-10' });
    const a = await seedHousehold(ctx.store, [{ name: '吴自批' }]);
    const b = await seedHousehold(ctx.store, [{ name: '郑正常' }]);
    const selfCase = await seedCase(ctx.store, {
      householdId: a.householdId,
      applicantId: a.persons[0]!.id,
      preparedBy: 'u-same',
      decidedBy: 'u-same',
    });
    const okCase = await seedCase(ctx.store, { householdId: b.householdId, applicantId: b.persons[0]!.id });
    const ea = await seedEntitlement(ctx.store, {
      householdId: a.householdId,
      payeePersonId: a.persons[0]!.id,
      caseId: selfCase.caseId,
    });
    const eb = await seedEntitlement(ctx.store, {
      householdId: b.householdId,
      payeePersonId: b.persons[0]!.id,
      caseId: okCase.caseId,
    });
    const line = await addLine(ctx.store, run, {
      payableId: ea,
      householdId: a.householdId,
      payeePersonId: a.persons[0]!.id,
    });
    await addLine(ctx.store, run, {
      payableId: eb,
      householdId: b.householdId,
      payeePersonId: b.persons[0]!.id,
    });
    await check(ctx.store, run);
    const found = await findingsOf(ctx.store, run.runId, 'self_approved');
    expect(found.map((f) => f.lineNo)).toEqual([line]);
    expect(found[0]!.description).toContain(selfCase.caseNo);
    expect(await findingsOf(ctx.store, run.runId, 'no_basis')).toEqual([]);
  });

  it('staff_relative: a declared relative without two approvers, not one approved by two', async () => {
    const run = await seedRun(ctx.store, { month: '2026-09' });
    const a = await seedHousehold(ctx.store, [{ name: '冯亲属' }]);
    const b = await seedHousehold(ctx.store, [{ name: '陈亲属' }]);
    await seedRelative(ctx.store, { name: '冯科员', userId: randomUUID() }, a.persons[0]!);
    await seedRelative(ctx.store, { name: '陈科员', userId: randomUUID() }, b.persons[0]!);
    const one = await seedCase(ctx.store, {
      householdId: a.householdId,
      applicantId: a.persons[0]!.id,
      firstApprovedBy: null,
    });
    const two = await seedCase(ctx.store, {
      householdId: b.householdId,
      applicantId: b.persons[0]!.id,
      firstApprovedBy: 'u-approver2',
      decidedBy: 'u-approver',
    });
    const ea = await seedEntitlement(ctx.store, {
      householdId: a.householdId,
      payeePersonId: a.persons[0]!.id,
      caseId: one.caseId,
    });
    const eb = await seedEntitlement(ctx.store, {
      householdId: b.householdId,
      payeePersonId: b.persons[0]!.id,
      caseId: two.caseId,
    });
    const line = await addLine(ctx.store, run, {
      payableId: ea,
      householdId: a.householdId,
      payeePersonId: a.persons[0]!.id,
    });
    await addLine(ctx.store, run, {
      payableId: eb,
      householdId: b.householdId,
      payeePersonId: b.persons[0]!.id,
    });
    await check(ctx.store, run);
    const found = await findingsOf(ctx.store, run.runId, 'staff_relative');
    expect(found.map((f) => f.lineNo)).toEqual([line]);
    expect(found[0]!.description).toContain('冯科员');
    expect(found[0]!.description).toContain('未经两名审批人审批');
  });

  it('amount_mismatch: an amount that differs from the engine, not one that agrees', async () => {
    const run = await seedRun(ctx.store, { month: '2026-08' });
    const a = await seedHousehold(ctx.store, [{ name: '蒋差额' }]);
    const line = await addLine(ctx.store, run, {
      householdId: a.householdId,
      payeePersonId: a.persons[0]!.id,
      amountFen: 165_000,
      engineAmountFen: 151_000,
    });
    await addLine(ctx.store, run, {
      program: 'tekun',
      householdId: a.householdId,
      personId: a.persons[0]!.id,
      payeePersonId: a.persons[0]!.id,
      amountFen: 1_000,
    });
    await check(ctx.store, run);
    const found = await findingsOf(ctx.store, run.runId, 'amount_mismatch');
    expect(found.map((f) => f.lineNo)).toEqual([line]);
    expect(found[0]!.description).toContain('相差 140.00 元');
  });

  it('no_basis: an entitlement with neither a decided decision nor a rule; a rule is a basis', async () => {
    const run = await seedRun(ctx.store, { month: '2026-07' });
    const a = await seedHousehold(ctx.store, [{ name: '沈无据' }]);
    const b = await seedHousehold(ctx.store, [{ name: '韩免申' }]);
    const undecided = await seedCase(ctx.store, {
      householdId: a.householdId,
      applicantId: a.persons[0]!.id,
      decided: false,
    });
    const ea = await seedEntitlement(ctx.store, {
      householdId: a.householdId,
      payeePersonId: a.persons[0]!.id,
      caseId: undecided.caseId,
    });
    const eb = await seedEntitlement(ctx.store, {
      householdId: b.householdId,
      payeePersonId: b.persons[0]!.id,
      program: 'grain_oil',
      rule: 'grain_oil_card',
    });
    const line = await addLine(ctx.store, run, {
      payableId: ea,
      householdId: a.householdId,
      payeePersonId: a.persons[0]!.id,
    });
    await addLine(ctx.store, run, {
      payableId: eb,
      program: 'grain_oil',
      householdId: b.householdId,
      payeePersonId: b.persons[0]!.id,
      amountFen: 7_200,
    });
    await check(ctx.store, run);
    const found = await findingsOf(ctx.store, run.runId, 'no_basis');
    expect(found.map((f) => f.lineNo)).toEqual([line]);
  });

  it('shared_account: one account to unrelated payees, not to two members of one household', async () => {
    const run = await seedRun(ctx.store, { month: '2026-06' });
    const a = await seedHousehold(ctx.store, [{ name: '杨甲' }]);
    const b = await seedHousehold(ctx.store, [{ name: '朱乙' }]);
    const family = await seedHousehold(ctx.store, [{ name: '秦父' }, { name: '秦子' }]);
    const first = await addLine(ctx.store, run, {
      householdId: a.householdId,
      payeePersonId: a.persons[0]!.id,
      accountNo: '6222000011112222',
    });
    await addLine(ctx.store, run, {
      householdId: b.householdId,
      payeePersonId: b.persons[0]!.id,
      accountNo: '6222000011112222',
    });
    await addLine(ctx.store, run, {
      householdId: family.householdId,
      payeePersonId: family.persons[0]!.id,
      accountNo: '6222000033334444',
    });
    await addLine(ctx.store, run, {
      program: 'tekun',
      householdId: family.householdId,
      personId: family.persons[1]!.id,
      payeePersonId: family.persons[1]!.id,
      accountNo: '6222000033334444',
    });
    await check(ctx.store, run);
    const found = await findingsOf(ctx.store, run.runId, 'shared_account');
    expect(found.map((f) => f.lineNo)).toEqual([first]);
    expect(found[0]!.description).toContain('尾号 2222');
    expect(found[0]!.description).toContain('杨甲');
    expect(found[0]!.description).toContain('朱乙');
    expect(found[0]!.description).not.toContain('6222000011112222');
  });

  it('assets_over_limit: verified assets over the limit, not assets within it', async () => {
    const run = await seedRun(ctx.store, { month: '2026-05' });
    // Two persons: the small household's limit, 33,000 元 a person → 66,000 元.
    const rich = await seedHousehold(ctx.store, [{ name: '许甲' }, { name: '许乙' }], {
      monetaryAssetsFen: 5_000_000,
    });
    const within = await seedHousehold(ctx.store, [{ name: '何甲' }, { name: '何乙' }], {
      monetaryAssetsFen: 6_600_000,
    });
    await seedRecheckChange(ctx.store, {
      householdId: rich.householdId,
      oldValue: 5_000_000,
      newValue: 6_600_001,
      asOf: '2026-04-20',
      affectsEligibility: true,
    });
    const line = await addLine(ctx.store, run, {
      householdId: rich.householdId,
      payeePersonId: rich.persons[0]!.id,
    });
    await addLine(ctx.store, run, { householdId: within.householdId, payeePersonId: within.persons[0]!.id });
    await check(ctx.store, run);
    const found = await findingsOf(ctx.store, run.runId, 'assets_over_limit');
    expect(found.map((f) => f.lineNo)).toEqual([line]);
    expect(found[0]!.description).toContain('66000.01 元');
    expect(found[0]!.description).toContain('限额 66000.00 元');
  });

  it('over_ceiling: a payment over its program ceiling, not one at it', async () => {
    const run = await seedRun(ctx.store, { month: '2026-04' });
    const a = await seedHousehold(ctx.store, [{ name: '吕童' }, { name: '吕童二' }]);
    const line = await addLine(ctx.store, run, {
      program: 'kunjing_child',
      householdId: a.householdId,
      personId: a.persons[0]!.id,
      payeePersonId: a.persons[0]!.id,
      amountFen: 190_001,
    });
    await addLine(ctx.store, run, {
      program: 'kunjing_child',
      householdId: a.householdId,
      personId: a.persons[1]!.id,
      payeePersonId: a.persons[0]!.id,
      amountFen: 190_000,
    });
    await check(ctx.store, run);
    const found = await findingsOf(ctx.store, run.runId, 'over_ceiling');
    expect(found.map((f) => f.lineNo)).toEqual([line]);
    expect(found[0]!.description).toContain('上限 1900.00 元');
  });

  it('recheck_ineligible: re-verification says no longer eligible and nothing changed; not when it does not', async () => {
    const run = await seedRun(ctx.store, { month: '2026-03' });
    const a = await seedHousehold(ctx.store, [{ name: '施复核' }]);
    const b = await seedHousehold(ctx.store, [{ name: '张复核' }]);
    await seedRecheckChange(ctx.store, {
      householdId: a.householdId,
      newValue: 9_000_000,
      asOf: '2026-02-10',
      affectsEligibility: true,
    });
    await seedRecheckChange(ctx.store, {
      householdId: b.householdId,
      newValue: 100_000,
      asOf: '2026-02-10',
      affectsEligibility: false,
    });
    const ea = await seedEntitlement(ctx.store, {
      householdId: a.householdId,
      payeePersonId: a.persons[0]!.id,
      rule: 'x',
    });
    const eb = await seedEntitlement(ctx.store, {
      householdId: b.householdId,
      payeePersonId: b.persons[0]!.id,
      rule: 'x',
    });
    const line = await addLine(ctx.store, run, {
      payableId: ea,
      householdId: a.householdId,
      payeePersonId: a.persons[0]!.id,
    });
    await addLine(ctx.store, run, {
      payableId: eb,
      householdId: b.householdId,
      payeePersonId: b.persons[0]!.id,
    });
    await check(ctx.store, run);
    const found = await findingsOf(ctx.store, run.runId, 'recheck_ineligible');
    expect(found.map((f) => f.lineNo)).toEqual([line]);
    expect(found[0]!.description).toContain('货币财产');
    expect(found[0]!.description).toContain('90000.00 元');
  });
});
