import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { ALL, divisionScope } from '../../auth/scope.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { selectRows } from '../../db/sql.ts';
import { migrationsFolder, type Store } from '../../db/store.ts';
import { inUnitOfWork, type ActingContext, type WorkTx } from '../../workflow/unit-of-work.ts';
import { householdMembers, households, persons } from '../schema.ts';
import { policyHouseholdOf } from '../policy-input.service.ts';
import {
  addFact,
  correctFact,
  endFact,
  endFactsOfPerson,
  listFacts,
  moveFactsOfPerson,
  recordOpeningFacts,
  type SubjectRef,
} from './facts.service.ts';

const D = '310110';
const HOUSEHOLD = '00000000-0000-4000-8000-00000000f001';
const HEAD = '00000000-0000-4000-8000-00000000f101';
const CHILD = '00000000-0000-4000-8000-00000000f102';
const OTHER_STREET_HOUSEHOLD = '00000000-0000-4000-8000-00000000f002';
const STREET = divisionScope('310110001');
const actor: ActingContext = { userId: 'u-facts', divisionCode: '310110001', reason: '经济状况登记测试' };

const head: SubjectRef = { subjectType: 'person', districtCode: D, subjectId: HEAD };
const home: SubjectRef = { subjectType: 'household', districtCode: D, subjectId: HOUSEHOLD };

let restoreClock: () => void = () => {};
beforeAll(() => {
  restoreClock = setClock(fixedClock('2026-11-20'));
});
afterAll(() => restoreClock());

describeStores('economic facts service', (ctx) => {
  const unit = <T>(work: (tx: WorkTx) => Promise<T>, who: ActingContext = actor) =>
    inUnitOfWork(ctx.store, who, work, { now: new Date('2026-11-20T04:00:00Z') });

  async function counts(store: Store) {
    const [row] = await selectRows<{ facts: number; audits: number }>(
      store.db,
      sql`select (select count(*)::int from economic_facts) as facts,
                 (select count(*)::int from audit_log where entity_type = 'economic_fact') as audits`,
    );
    return row!;
  }

  /** Refused, with nothing written: neither a fact nor an audit row. */
  // The write starts only once the counts are taken: a rejection before anyone awaits it is unhandled.
  async function refused(attempt: () => Promise<unknown>, expected: Record<string, unknown>) {
    const before = await counts(ctx.store);
    await expect(attempt()).rejects.toMatchObject(expected);
    expect(await counts(ctx.store)).toEqual(before);
  }

  beforeAll(async () => {
    await ctx.store.db.insert(households).values([
      {
        districtCode: D,
        id: HOUSEHOLD,
        householdNo: 'FS1',
        streetCode: '310110001',
        committeeCode: '310110001001',
      },
      {
        districtCode: D,
        id: OTHER_STREET_HOUSEHOLD,
        householdNo: 'FS2',
        streetCode: '310110002',
        committeeCode: '310110002001',
      },
    ]);
    const person = (id: string, birthDate: string) => ({
      districtCode: D,
      id,
      idNumber: id.slice(-12),
      name: `测${id.slice(-3)}`,
      nameInitials: 'c',
      sex: 1,
      birthDate,
      hukouDivisionCode: '310110001001',
      residenceDivisionCode: '310110001001',
    });
    await ctx.store.db.insert(persons).values([person(HEAD, '1970-03-01'), person(CHILD, '2015-06-01')]);
    await ctx.store.db.insert(householdMembers).values([
      {
        districtCode: D,
        householdId: HOUSEHOLD,
        personId: HEAD,
        relationCode: '02',
        validFrom: '2010-01-01',
        seq: 0,
      },
      {
        districtCode: D,
        householdId: HOUSEHOLD,
        personId: CHILD,
        relationCode: '20',
        validFrom: '2015-06-01',
        seq: 1,
      },
    ]);
  });

  it('adds a declared wage: stored, audited with the unit reason, projected on the person', async () => {
    const { fact, superseded } = await unit((tx) =>
      addFact(tx, STREET, head, {
        kind: 'wage',
        amountFen: 400_000,
        validFrom: '2024-01-01',
        sourceKind: 'declared',
        sourceRef: '申报表 2024-001',
      }),
    );
    expect(superseded).toBeNull();
    expect(fact).toMatchObject({
      kind: 'wage',
      amountFen: 400_000,
      validTo: null,
      recordedBy: 'u-facts',
      version: 1,
    });
    const [audit] = await selectRows<{ action: string; reason: string; district_code: string }>(
      ctx.store.db,
      sql`select action, reason, district_code from audit_log where entity_type = 'economic_fact'`,
    );
    expect(audit).toEqual({ action: 'fact.added', reason: '经济状况登记测试', district_code: D });
    const [p] = await selectRows<{ wage: string }>(
      ctx.store.db,
      sql`select wage_fen::text as wage from persons where id = ${HEAD}`,
    );
    expect(p!.wage).toBe('400000');
  });

  it('a new fact of the same kind, subject and source ends the previous one the day before it starts', async () => {
    const { fact, superseded } = await unit((tx) =>
      addFact(tx, STREET, head, {
        kind: 'wage',
        amountFen: 450_000,
        validFrom: '2025-07-15',
        sourceKind: 'declared',
      }),
    );
    expect(superseded?.after).toMatchObject({
      amountFen: 400_000,
      validFrom: '2024-01-01',
      validTo: '2025-07-15',
      version: 2,
    });
    expect(fact.validTo).toBeNull();
    // The change counts from the next month, as memberships do.
    const july = await policyHouseholdOf(ctx.store.db, { districtCode: D, id: HOUSEHOLD }, '2025-07');
    const august = await policyHouseholdOf(ctx.store.db, { districtCode: D, id: HOUSEHOLD }, '2025-08');
    expect(july.members[0]!.wageFen).toBe(400_000);
    expect(august.members[0]!.wageFen).toBe(450_000);
    const actions = await selectRows<{ action: string }>(
      ctx.store.db,
      sql`select action from audit_log where entity_type = 'economic_fact' order by id`,
    );
    expect(actions.map((a) => a.action)).toEqual(['fact.added', 'fact.superseded', 'fact.added']);
  });

  it('refuses a fact that would start before the one it supersedes, in Chinese, writing nothing', async () => {
    await refused(
      () =>
        unit((tx) =>
          addFact(tx, STREET, head, {
            kind: 'wage',
            amountFen: 1,
            validFrom: '2025-07-01',
            sourceKind: 'declared',
          }),
        ),
      {
        code: 'conflict',
        field: 'validFrom',
        message: expect.stringContaining('改写历史请使用“更正”') as unknown,
      },
    );
  });

  it('another source is a separate line: a verified figure outranks the declared one without ending it', async () => {
    await unit((tx) =>
      addFact(tx, STREET, head, {
        kind: 'wage',
        amountFen: 520_000,
        validFrom: '2025-09-01',
        sourceKind: 'verified',
        sourceRef: '核对报告 HD-2025-88',
      }),
    );
    const list = await listFacts(ctx.store.db, STREET, head, '2025-10-01');
    expect(
      list.facts
        .filter((f) => f.kind === 'wage')
        .map((f) => [f.sourceKind, f.amountFen, f.validTo, f.counts]),
    ).toEqual([
      ['declared', 400_000, '2025-07-15', false],
      ['declared', 450_000, null, false],
      ['verified', 520_000, null, true],
    ]);
    expect(list.figures).toMatchObject({ wageFen: 520_000 });
    expect(list.facts.find((f) => f.sourceKind === 'verified')).toMatchObject({
      kindName: '工资性收入（月）',
      sourceKindName: '核对',
      valueText: '5200.00 元',
    });
  });

  it('checks every field at once and refuses what the kind or the subject cannot have', async () => {
    await refused(
      () =>
        unit((tx) =>
          addFact(tx, STREET, head, {
            kind: 'category',
            category: 'nobody',
            validFrom: '2026-13-01',
            sourceKind: 'declared',
            amountFen: 5,
          }),
        ),
      { code: 'validation' },
    );
    const error = await unit((tx) =>
      addFact(tx, STREET, head, {
        kind: 'category',
        category: 'nobody',
        validFrom: '2026-13-01',
        sourceKind: 'declared',
        amountFen: 5,
      }),
    ).then(
      () => ({ problems: [] as { field: string; message: string }[] }),
      (e: unknown) => e as { problems: { field: string; message: string }[] },
    );
    expect(error.problems.map((p) => p.field).sort()).toEqual([
      'amountFen',
      'category',
      'sourceKind',
      'validFrom',
    ]);
    expect(error.problems.find((p) => p.field === 'sourceKind')?.message).toContain('只能来自认定');
    await refused(
      () =>
        unit((tx) =>
          addFact(tx, STREET, head, {
            kind: 'vehicles',
            quantity: 1,
            validFrom: '2025-01-01',
            sourceKind: 'declared',
          }),
        ),
      { code: 'validation', message: expect.stringContaining('家庭户的事实') as unknown },
    );
    await refused(
      () =>
        unit((tx) =>
          addFact(tx, STREET, head, {
            kind: 'pension',
            amountFen: 1,
            validFrom: '1969-01-01',
            sourceKind: 'declared',
          }),
        ),
      { code: 'validation', message: expect.stringContaining('早于该人员的出生日期') as unknown },
    );
    await refused(
      () =>
        unit((tx) =>
          addFact(tx, STREET, home, {
            kind: 'medical_expense',
            amountFen: 1,
            validFrom: '2026-12-01',
            validTo: '2027-01-01',
            sourceKind: 'declared',
          }),
        ),
      { code: 'validation' },
    );
  });

  it('answers outside the caller’s scope exactly like a missing subject, writing nothing', async () => {
    const otherStreet: SubjectRef = {
      subjectType: 'household',
      districtCode: D,
      subjectId: OTHER_STREET_HOUSEHOLD,
    };
    await refused(
      () =>
        unit((tx) =>
          addFact(tx, STREET, otherStreet, {
            kind: 'vehicles',
            quantity: 1,
            validFrom: '2025-01-01',
            sourceKind: 'declared',
          }),
        ),
      { code: 'not_found' },
    );
    await expect(listFacts(ctx.store.db, STREET, otherStreet, '2025-01-01')).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      listFacts(ctx.store.db, STREET, { ...head, subjectId: 'not-a-uuid' }, '2025-01-01'),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('ends an open fact (version-checked); an end that is wrong is a correction', async () => {
    const { fact } = await unit((tx) =>
      addFact(tx, STREET, home, {
        kind: 'vehicles',
        quantity: 2,
        validFrom: '2020-05-01',
        sourceKind: 'declared',
      }),
    );
    const ref = { ...home, factId: fact.id };
    await refused(() => unit((tx) => endFact(tx, STREET, ref, { validTo: '2026-01-01', version: 7 })), {
      code: 'stale_version',
    });
    await refused(() => unit((tx) => endFact(tx, STREET, ref, { validTo: '2019-01-01', version: 1 })), {
      code: 'validation',
    });
    const ended = await unit((tx) => endFact(tx, STREET, ref, { validTo: '2026-01-01', version: 1 }));
    expect(ended).toMatchObject({ validTo: '2026-01-01', version: 2 });
    await refused(() => unit((tx) => endFact(tx, STREET, ref, { validTo: '2026-02-01', version: 2 })), {
      code: 'conflict',
      message: expect.stringContaining('更正') as unknown,
    });
    expect((await listFacts(ctx.store.db, STREET, home, '2025-12-31')).figures).toMatchObject({
      vehicles: 2,
    });
    expect((await listFacts(ctx.store.db, STREET, home, '2026-01-01')).figures).toMatchObject({
      vehicles: 0,
    });
  });

  it('corrects a fact: reason required; the old one is kept voided, the replacement may rewrite history', async () => {
    const before = await listFacts(ctx.store.db, STREET, head, '2025-01-01');
    const first = before.facts.find((f) => f.kind === 'wage' && f.validFrom === '2024-01-01')!;
    const ref = { ...head, factId: first.id };
    await refused(
      () => unit((tx) => correctFact(tx, STREET, ref, { version: first.version, reason: '  ' })),
      {
        code: 'validation',
        message: expect.stringContaining('更正原因') as unknown,
      },
    );
    const { voided, replacement } = await unit((tx) =>
      correctFact(tx, STREET, ref, {
        version: first.version,
        reason: '申报表金额录入错误',
        replacement: {
          kind: 'wage',
          amountFen: 380_000,
          validFrom: '2023-06-01',
          validTo: '2025-07-15',
          sourceKind: 'declared',
          sourceRef: '申报表 2024-001（更正）',
        },
      }),
    );
    expect(voided).toMatchObject({ voidReason: '申报表金额录入错误', replacedBy: replacement!.id });
    const after = await listFacts(ctx.store.db, STREET, head, '2024-03-01');
    expect(after.figures).toMatchObject({ wageFen: 380_000 });
    expect(after.facts.find((f) => f.id === first.id)).toMatchObject({ counts: false, validOnDate: false });
    const [audit] = await selectRows<{ reason: string }>(
      ctx.store.db,
      sql`select reason from audit_log where action = 'fact.corrected'`,
    );
    expect(audit!.reason).toBe('申报表金额录入错误');
    await refused(
      () => unit((tx) => correctFact(tx, STREET, ref, { version: voided.version, reason: '再次' })),
      {
        code: 'conflict',
      },
    );
  });

  it('records the opening values of a new person or household as declared facts, defaults left out', async () => {
    const written = await unit((tx) =>
      recordOpeningFacts(
        tx,
        { subjectType: 'person', districtCode: D, subjectId: CHILD },
        {
          wageFen: 0,
          disabilityCategory: 5,
          disabilityGrade: 2,
          hasSupporter: true,
          categories: ['kunjing_child'],
        },
        '2015-06-01',
      ),
    );
    expect(written.map((f) => [f.kind, f.sourceKind, f.validFrom])).toEqual([
      ['disability', 'declared', '2015-06-01'],
      ['category', 'decision', '2015-06-01'],
    ]);
    const [p] = await selectRows<{ disability_category: number; categories: string[] }>(
      ctx.store.db,
      sql`select disability_category, categories from persons where id = ${CHILD}`,
    );
    expect(p).toEqual({ disability_category: 5, categories: ['kunjing_child'] });
  });

  it('a death ends every fact still holding on the exclusive end; later ones become empty; spending stays', async () => {
    await unit((tx) =>
      addFact(tx, STREET, head, {
        kind: 'employment',
        flag: true,
        validFrom: '2026-12-01',
        sourceKind: 'declared',
      }),
    );
    const ended = await unit((tx) => endFactsOfPerson(tx, HEAD, '2026-10-02'));
    expect(ended.map((f) => [f.kind, f.sourceKind, f.validFrom, f.validTo]).sort()).toEqual([
      ['employment', 'declared', '2026-12-01', '2026-12-01'],
      ['wage', 'declared', '2025-07-15', '2026-10-02'],
      ['wage', 'verified', '2025-09-01', '2026-10-02'],
    ]);
    expect((await listFacts(ctx.store.db, ALL, head, '2026-11-01')).figures).toMatchObject({
      wageFen: 0,
      employed: false,
    });
    expect(await unit((tx) => endFactsOfPerson(tx, HEAD, '2026-10-02', D))).toEqual([]);
  });

  it('a transfer carries the facts still holding to the receiving district, with the same ids', async () => {
    const child = await listFacts(
      ctx.store.db,
      ALL,
      { subjectType: 'person', districtCode: D, subjectId: CHILD },
      '2026-11-01',
    );
    const moved = await unit((tx) => moveFactsOfPerson(tx, CHILD, D, '310109', '2026-11-01'));
    expect(moved.map((f) => f.id).sort()).toEqual(child.facts.map((f) => f.id).sort());
    expect(new Set(moved.map((f) => f.districtCode))).toEqual(new Set(['310109']));
    // Idempotent: a second run finds them there.
    expect(await unit((tx) => moveFactsOfPerson(tx, CHILD, D, '310109', '2026-11-01'))).toEqual([]);
  });
});

describeStores('migration 0010: the undated columns become facts', (ctx) => {
  it('keeps the engine input of every month the old columns gave', async () => {
    const H1 = '00000000-0000-4000-8000-00000000e001';
    const P1 = '00000000-0000-4000-8000-00000000e101';
    const P2 = '00000000-0000-4000-8000-00000000e102';
    await ctx.store.db.insert(households).values({
      districtCode: D,
      id: H1,
      householdNo: 'MG1',
      streetCode: '310110001',
      committeeCode: '310110001001',
      monetaryAssetsFen: 5_000_000,
      vehicles: 1,
      homes: 2,
      perCapitaFloorAreaBelowAverage: true,
    });
    const base = {
      districtCode: D,
      nameInitials: 'm',
      sex: 1,
      hukouDivisionCode: '310110001001',
      residenceDivisionCode: '310110001001',
    };
    await ctx.store.db.insert(persons).values([
      {
        ...base,
        id: P1,
        idNumber: 'm1',
        name: '迁一',
        birthDate: '1950-01-01',
        pensionFen: 300_000,
        disabilityCategory: 4,
        disabilityGrade: 1,
        categories: ['traditional'],
        seriousIllness: true,
      },
      {
        ...base,
        id: P2,
        idNumber: 'm2',
        name: '迁二',
        birthDate: '1980-01-01',
        wageFen: 600_000,
        employed: true,
        hasSupporter: false,
        otherIncomeFen: 1000,
      },
    ]);
    await ctx.store.db.insert(householdMembers).values([
      { districtCode: D, householdId: H1, personId: P1, relationCode: '02', validFrom: '2001-03-15', seq: 0 },
      { districtCode: D, householdId: H1, personId: P2, relationCode: '20', validFrom: '2001-03-15', seq: 1 },
    ]);
    // The migration's two INSERT statements, run again over these rows.
    const statements = readFileSync(`${migrationsFolder}/0010_economic_facts.sql`, 'utf8').split(
      '--> statement-breakpoint',
    );
    for (const statement of statements.slice(1)) await ctx.store.db.execute(sql.raw(statement));
    const facts = await selectRows<{ kind: string; source_kind: string; valid_from: string }>(
      ctx.store.db,
      sql`select kind, source_kind, valid_from::text from economic_facts order by subject_type, kind`,
    );
    expect(facts).toEqual([
      { kind: 'floor_area_below_average', source_kind: 'declared', valid_from: '2001-03-01' },
      { kind: 'homes', source_kind: 'declared', valid_from: '2001-03-01' },
      { kind: 'monetary_assets', source_kind: 'declared', valid_from: '2001-03-01' },
      { kind: 'vehicles', source_kind: 'declared', valid_from: '2001-03-01' },
      { kind: 'category', source_kind: 'decision', valid_from: '1950-01-01' },
      { kind: 'disability', source_kind: 'declared', valid_from: '1950-01-01' },
      { kind: 'employment', source_kind: 'declared', valid_from: '1980-01-01' },
      { kind: 'other_income', source_kind: 'declared', valid_from: '1980-01-01' },
      { kind: 'pension', source_kind: 'declared', valid_from: '1950-01-01' },
      { kind: 'serious_illness', source_kind: 'declared', valid_from: '1950-01-01' },
      { kind: 'supporter', source_kind: 'declared', valid_from: '1980-01-01' },
      { kind: 'wage', source_kind: 'declared', valid_from: '1980-01-01' },
    ]);
    for (const month of ['2001-04', '2015-01', '2026-11']) {
      const input = await policyHouseholdOf(ctx.store.db, { districtCode: D, id: H1 }, month);
      expect(input).toMatchObject({
        monetaryAssetsFen: 5_000_000,
        vehicles: 1,
        homes: 2,
        perCapitaFloorAreaBelowAverage: true,
      });
      expect(
        input.members.map((m) => [
          m.pensionFen,
          m.wageFen,
          m.otherIncomeFen,
          m.disabilityKind,
          m.disabilityGrade,
          m.employed,
          m.seriousIllness,
          m.hasSupporter,
          m.categories,
        ]),
      ).toEqual([
        [300_000, 0, 0, 'physical', 1, false, true, true, ['traditional']],
        [0, 600_000, 1000, null, null, true, false, false, []],
      ]);
    }
  });
});
