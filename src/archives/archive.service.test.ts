import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { divisionScope } from '../auth/scope.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import type { Store } from '../db/store.ts';
import { inspectPdf } from '../documents/pdf-inspect.test-helpers.ts';
import { renderPdf } from '../documents/pdf.renderer.ts';
import { grantDecision, prepareDecision } from '../entitlements/decision.service.ts';
import { listEntitlements } from '../entitlements/entitlement.service.ts';
import {
  APPROVER,
  approverActor,
  CASEWORKER,
  caseworkerActor,
  seedCase,
  type SeededCase,
} from '../entitlements/entitlements.fixtures.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { archiveDocument } from './archive.document.ts';
import { getArchive, type ArchiveCaller } from './archive.service.ts';
import { ARCHIVE_KINDS } from './archive.types.ts';
import { ArchiveError } from './archives.errors.ts';

const MONTH = '2026-12';
const FINANCE: ArchiveCaller = { scope: divisionScope('310110'), role: 'finance_officer', userId: 'u-fin' };
const AUDITOR: ArchiveCaller = { scope: divisionScope('310110'), role: 'auditor', userId: 'u-aud' };
const OTHER_STREET: ArchiveCaller = {
  scope: divisionScope('310110016'),
  role: 'street_caseworker',
  userId: 'u-other',
};
const COMMITTEE: ArchiveCaller = {
  scope: divisionScope('310110012001'),
  role: 'committee_assistant',
  userId: 'u-committee',
};

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a refusal');
}

/** A decided case with a visit, its entitlements, an approved run paying them (one paid, one failed) and a recovery item. */
async function demoLikeRecipient(ctx: { store: Store }): Promise<SeededCase> {
  const c = await seedCase(ctx.store, 'A1');
  const db = ctx.store.db;
  const account = (n: string) => ({ bankName: '上海农商银行', accountNo: `62220000${n}` });
  await inUnitOfWork(ctx.store, caseworkerActor, (tx) =>
    prepareDecision(tx, CASEWORKER, {
      districtCode: '310110',
      caseId: c.caseId,
      month: MONTH,
      lines: [
        { program: 'dibao', outcome: 'granted' },
        { program: 'elderly_allowance', outcome: 'granted' },
        { program: 'kunjing_child', outcome: 'denied', reasons: ['监护人已能履行抚养义务'] },
      ],
      payees: [
        { beneficiaryId: c.householdId, payeePersonId: c.adult.id, ...account('00000001') },
        { beneficiaryId: c.elder.id, payeePersonId: c.elder.id, ...account('00000002') },
      ],
    }),
  );
  await inUnitOfWork(ctx.store, approverActor, (tx) =>
    grantDecision(tx, APPROVER, { districtCode: '310110', caseId: c.caseId }),
  );
  // What the cases module leaves behind (its own tests cover the steps): accepted, visited, approved.
  await db.execute(sql`update cases set state = 'approved', accepted_on = '2026-11-20',
    decided_at = '2026-12-01T02:00:00Z', decided_by = 'u-approver' where id = ${c.caseId}::uuid`);
  await db.execute(sql`insert into case_visits (district_code, case_id, visited_on, visitors, checklist, notes,
      photo_ids, recorded_by, recorded_at)
    values ('310110', ${c.caseId}::uuid, '2026-11-25', array['李社工','王社工'], '{"residence": true, "income": false}'::jsonb,
      '家中老人卧床，收入来源为子女接济', '{}'::uuid[], 'u-street', '2026-11-25T08:00:00Z')`);
  const { items } = await listEntitlements(db, APPROVER, { householdId: c.householdId });
  const dibao = items.find((e) => e.program === 'dibao')!;
  const elderly = items.find((e) => e.program === 'elderly_allowance')!;
  const runId = randomUUID();
  const now = '2026-12-05T02:00:00Z';
  await db.execute(sql`insert into payroll_runs (district_code, id, month, state, prepared_by, prepared_at,
      checked_by, checked_at, approved_by, approved_at, line_count, total_fen, created_at, updated_at)
    values ('310110', ${runId}::uuid, '2026-12', 'exported', 'u-fin', ${now}, 'u-fin2', ${now}, 'u-approver', ${now},
      2, ${dibao.amountFen + elderly.amountFen}, ${now}, ${now})`);
  await db.execute(sql`insert into payroll_lines (district_code, run_id, line_no, payable_kind, payable_id, program,
      household_id, person_id, committee_code, period, kind, amount_fen, basis_kind, state, payee_person_id,
      bank_name, account_no, bank_ref, paid_on, failure_reason)
    values
      ('310110', ${runId}::uuid, 1, 'entitlement', ${dibao.id}::uuid, 'dibao', ${c.householdId}::uuid, null,
        '310110012001', '2026-12', 'regular', ${dibao.amountFen}, 'entitlement', 'paid', ${c.adult.id}::uuid,
        '上海农商银行', '6222000000000001', 'B-0001', '2026-12-10', null),
      ('310110', ${runId}::uuid, 2, 'entitlement', ${elderly.id}::uuid, 'elderly_allowance', ${c.householdId}::uuid,
        ${c.elder.id}::uuid, '310110012001', '2027-Q1', 'regular', ${elderly.amountFen}, 'entitlement', 'failed',
        ${c.elder.id}::uuid, '上海农商银行', '6222000000000002', null, null, '账户已销户')`);
  // A run not yet approved pays nothing: its line is no payment of the archive.
  const draftRun = randomUUID();
  await db.execute(sql`insert into payroll_runs (district_code, id, month, state, prepared_by, prepared_at,
      created_at, updated_at) values ('310110', ${draftRun}::uuid, '2027-01', 'prepared', 'u-fin', ${now}, ${now}, ${now})`);
  await db.execute(sql`insert into payroll_lines (district_code, run_id, line_no, payable_kind, payable_id, program,
      household_id, committee_code, period, kind, amount_fen, basis_kind, state, payee_person_id)
    values ('310110', ${draftRun}::uuid, 1, 'entitlement', ${dibao.id}::uuid, 'dibao', ${c.householdId}::uuid,
      '310110012001', '2027-01', 'regular', ${dibao.amountFen}, 'entitlement', 'pending', ${c.adult.id}::uuid)`);
  await db.execute(sql`insert into recovery_items (district_code, id, payable_kind, payable_id, program, period,
      amount_fen, cause, note, person_id, household_id, state, raised_by, raised_at)
    values ('310110', ${randomUUID()}::uuid, 'entitlement', ${elderly.id}::uuid, 'elderly_allowance', '2026-Q4',
      5000, 'other', '重复发放一个季度', ${c.elder.id}::uuid, ${c.householdId}::uuid, 'open', 'u-fin', ${now})`);
  return c;
}

describeStores('电子档案', (ctx) => {
  let restore: () => void;
  let c: SeededCase;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    c = await demoLikeRecipient(ctx);
  });
  afterAll(() => restore());

  it("holds every kind of a household's record, in date order, names not codes", async () => {
    const view = await getArchive(ctx.store.db, CASEWORKER, {
      kind: 'household',
      districtCode: '310110',
      id: c.householdId,
    });
    for (const kind of ARCHIVE_KINDS) expect(view.counts[kind], kind).toBeGreaterThan(0);
    expect(view.recipient.name).toBe(c.adult.name);
    expect(view.recipient.members.map((m) => m.name)).toContain(c.elder.name);
    const dates = view.items.map((i) => i.date);
    expect(dates).toEqual([...dates].sort());
    expect(view.counts.decision).toBe(3);
    expect(view.counts.payment).toBe(2);
    const decision = view.items.find((i) => i.kind === 'decision' && i.title.startsWith('最低生活保障'))!;
    expect(decision.note).not.toBe('');
    expect(decision.entries.some((e) => e.text.includes('dibao.standard'))).toBe(true);
    expect(decision.entries.every((e) => /[\u4e00-\u9fff]/.test(e.text.slice(0, 2)))).toBe(true);
    expect(decision.entries.map((e) => e.text).join()).not.toMatch(/secondary|inferred|given/);
    expect(decision.fields.find((f) => f.label === '依据核对报告')!.value).not.toBe('—');
    const notices = view.items.filter((i) => i.kind === 'notice').map((i) => i.title);
    expect(notices.some((t) => t.startsWith('受理通知书'))).toBe(true);
    expect(notices.some((t) => t.startsWith('审批（确认）通知书'))).toBe(true);
    expect(notices.some((t) => t.startsWith('不予批准（确认）通知书'))).toBe(true);
    const visit = view.items.find((i) => i.kind === 'visit')!;
    expect(visit.entries.map((e) => e.text)).toContain('收入来源已了解：否');
    const failed = view.items.find((i) => i.kind === 'payment' && i.title.includes('发放失败'))!;
    expect(failed.fields.find((f) => f.label === '银行结果')!.value).toContain('账户已销户');
    expect(failed.title).toContain('2027年第1季度');
    const entitlement = view.items.find((i) => i.kind === 'entitlement')!;
    expect(entitlement.entries[0]!.text).toContain('新增待遇');
    expect(JSON.stringify(view)).not.toMatch(/street_caseworker|"dibao"|u-approver/);
  });

  it("gives a person's archive: their own entitlements, payments and recovery, their case's lines for them", async () => {
    const view = await getArchive(ctx.store.db, AUDITOR, {
      kind: 'person',
      districtCode: '310110',
      id: c.elder.id,
    });
    expect(view.recipient.name).toBe(c.elder.name);
    expect(view.recipient.idNumberMasked).toMatch(/\*/);
    expect(view.items.filter((i) => i.kind === 'entitlement').map((i) => i.title)).toEqual([
      expect.stringContaining('老年综合津贴'),
    ]);
    expect(view.counts.payment).toBe(1);
    expect(view.counts.recovery).toBe(1);
    expect(view.counts.case).toBe(1);
    const lines = view.items.filter((i) => i.kind === 'decision').map((i) => i.title);
    expect(lines.some((t) => t.startsWith('老年综合津贴'))).toBe(true);
    expect(lines.some((t) => t.startsWith('最低生活保障'))).toBe(false);
  });

  it('masks accounts unless the caller may see them, and ID numbers always', async () => {
    const key = { kind: 'household' as const, districtCode: '310110', id: c.householdId };
    const masked = JSON.stringify(await getArchive(ctx.store.db, CASEWORKER, key));
    expect(masked).not.toContain('6222000000000001');
    expect(masked).toContain('6222********0001');
    const full = await getArchive(ctx.store.db, FINANCE, key);
    expect(full.accountsUnmasked).toBe(true);
    expect(JSON.stringify(full)).toContain('6222000000000001');
    expect(JSON.stringify(full)).not.toMatch(/310110\d{8}\d{3}[\dX]/);
  });

  it("refuses another street's caseworker as absent, and a role without the permission", async () => {
    const key = { kind: 'household' as const, districtCode: '310110', id: c.householdId };
    const other = await thrown(getArchive(ctx.store.db, OTHER_STREET, key));
    expect(other).toBeInstanceOf(ArchiveError);
    expect((other as ArchiveError).code).toBe('not_found');
    const person = await thrown(
      getArchive(ctx.store.db, OTHER_STREET, { ...key, kind: 'person', id: c.elder.id }),
    );
    expect((person as ArchiveError).code).toBe('not_found');
    const committee = await thrown(getArchive(ctx.store.db, COMMITTEE, key));
    expect((committee as ArchiveError).code).toBe('forbidden');
    const unknown = await thrown(getArchive(ctx.store.db, FINANCE, { ...key, id: randomUUID() }));
    expect((unknown as ArchiveError).code).toBe('not_found');
  });

  it('prints the whole archive as one PDF with the recipient named, and empty sections in a sentence', async () => {
    const view = await getArchive(ctx.store.db, AUDITOR, {
      kind: 'person',
      districtCode: '310110',
      id: c.child.id,
    });
    expect(view.counts.payment).toBe(0);
    const pdf = await renderPdf(archiveDocument(view, '2026-12-01'));
    const read = inspectPdf(pdf);
    expect(read.pages.length).toBeGreaterThan(0);
    const text = read.pages.join('\n').replace(/\s+/g, '');
    expect(text).toContain(c.child.name);
    expect(text).toContain('没有已审批批次中的发放记录');
    const household = await getArchive(ctx.store.db, AUDITOR, {
      kind: 'household',
      districtCode: '310110',
      id: c.householdId,
    });
    const full = inspectPdf(await renderPdf(archiveDocument(household, '2026-12-01')));
    expect(full.pages.length).toBeGreaterThan(1);
    expect(full.pages.join('').replace(/\s+/g, '')).toContain(c.adult.name);
  });
});
