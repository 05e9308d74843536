import { randomUUID } from 'node:crypto';
import { divisionScope } from '../../auth/scope.ts';
import { addDays } from '../../calendar/days.ts';
import type { Store } from '../../db/store.ts';
import { FACT_COLUMNS, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, PERSON_COLUMNS } from '../../demo/csv.ts';
import { NAME_PARTS } from '../../demo/names.ts';
import type { PolicyHousehold } from '../../policy/household.ts';
import type { ParameterSeries } from '../../policy/engine/parameter-store.ts';
import { baselineParameters } from '../../policy/index.ts';
import { HEAD_RELATION } from '../../registry/codes.ts';
import { makeIdNumber } from '../../registry/id-number.ts';
import { analyzeRegistryTables } from '../../registry/maintenance.repository.ts';
import { nameInitials } from '../../registry/pinyin.ts';
import { streamPolicyHouseholds } from '../../registry/policy-input.service.ts';
import { listDivisionChildren, seedDivisions } from '../../registry/registry.service.ts';
import { RowDigest, inUnitOfWork, type ActingContext } from '../../workflow/unit-of-work.ts';
import { engineAmounts, type EngineSubject } from '../compute/engine.ts';

/**
 * Registry recipients of the seed check (docs/payroll.md 种子核对): for each row of seed 000's table
 * "2020年杨浦区粮油帮困经费发放情况", persons whose dated facts make the engine's grain_oil give that row's
 * benefit in every month of 2020, and one grain_oil entitlement each at the engine's amount. A row's
 * person-times are spread over the year: floor(n/12) persons all year and, when n is not a multiple of 12,
 * one more person whose entitlement ends after n mod 12 months. Each person is a household of their own with
 * no income and no assets (a 低保 household under 2020's standard), so that the row alone decides the benefit.
 * Everything is written by COPY in two units of work (the registry rows, analysed as the registry's loaders
 * do; then the entitlements).
 */

export const SEED_DISTRICT = '310110';
export const SEED_MONTHS = Array.from({ length: 12 }, (_, i) => `2020-${String(i + 1).padStart(2, '0')}`);
const FROM = '2019-01-01';
const CREATED_AT = '2019-12-20T00:00:00.000Z';
const SOURCE = '种子核对：2020年杨浦区粮油帮困经费发放情况';

export const seedActor: ActingContext = {
  userId: 'u-street',
  divisionCode: SEED_DISTRICT,
  reason: '种子核对测试数据（2020年杨浦区粮油帮困）',
};

type Fact =
  | { kind: 'category'; category: 'traditional' | 'tekun' }
  | { kind: 'disability'; category: number; grade: number }
  | { kind: 'employment' | 'serious_illness' | 'supporter'; flag: boolean };

export interface SeedRow {
  /** The row's key, also the prefix of its households' numbers (户编号 SC-<code>-…). */
  code: string;
  /** The row as seed 000 prints it. */
  label: string;
  benefit: 'card' | 'voucher';
  personTimes: number;
  /** First birth dates (each row's persons are born over the 300 days from one of them, in turn). */
  births: readonly string[];
  /** Facts beyond no income: what makes this row's benefit the engine's. */
  facts: readonly Fact[];
}

/**
 * Seed 000's table. Ages are those on every month's last day in 2020: children 11–12, 70+ 84–85, the
 * voucher's 60–69 66–67; the seriously ill are 44–45 and 62–63 (the latter 60–69 too: card before voucher,
 * one benefit per person); 重残无业 39–40 with a grade 1 disability, no job; 特困 74–75 with the 认定 and no
 * supporter; the 特殊救助对象 (SPEC.md v1.1: 传统民政对象) 57–58 with the 认定.
 */
export const SEED_TABLE: readonly SeedRow[] = [
  {
    code: 'TRAD',
    label: '特殊救助对象',
    benefit: 'card',
    personTimes: 240,
    births: ['1962-03-01'],
    facts: [{ kind: 'category', category: 'traditional' }],
  },
  {
    code: 'CHILD',
    label: '低保家庭中学龄前儿童及中小学生',
    benefit: 'card',
    personTimes: 22_711,
    births: ['2008-03-01'],
    facts: [],
  },
  {
    code: 'OLD70',
    label: '低保家庭中70岁以上老人',
    benefit: 'card',
    personTimes: 5_824,
    births: ['1935-03-01'],
    facts: [],
  },
  {
    code: 'SDU',
    label: '重残无业人员',
    benefit: 'card',
    personTimes: 25_488,
    births: ['1980-03-01'],
    facts: [
      { kind: 'disability', category: 1, grade: 1 },
      { kind: 'employment', flag: false },
    ],
  },
  {
    code: 'ILL',
    label: '低保家庭中大重病患者',
    benefit: 'card',
    personTimes: 7_648,
    births: ['1975-03-01', '1957-03-01'],
    facts: [{ kind: 'serious_illness', flag: true }],
  },
  {
    code: 'TEKUN',
    label: '特困人员',
    benefit: 'card',
    personTimes: 3_043,
    births: ['1945-03-01'],
    facts: [
      { kind: 'category', category: 'tekun' },
      { kind: 'supporter', flag: false },
    ],
  },
  {
    code: 'V6069',
    label: '低保家庭中60岁到69岁的老年人',
    benefit: 'voucher',
    personTimes: 10_931,
    births: ['1953-03-01'],
    facts: [],
  },
];

interface Recipient {
  row: SeedRow;
  personId: string;
  householdId: string;
  committee: string;
  toMonth: string;
}

/** The district's committees, in code order (households are spread over them in turn). */
function committees(): string[] {
  return listDivisionChildren(SEED_DISTRICT)
    .flatMap((street) => listDivisionChildren(street.code))
    .map((c) => c.code);
}

/** A COPY csv row of plain values (none holds a comma or quote): null is empty, '' is quoted, booleans t/f. */
const csvRow = (values: readonly (string | number | boolean | null)[]) =>
  `${values.map((v) => (v === null ? '' : v === '' ? '""' : typeof v === 'boolean' ? (v ? 't' : 'f') : String(v))).join(',')}\n`;

function factRow(
  subjectId: string,
  subject: 'person' | 'household',
  f: Fact | { kind: string; amountFen: number },
) {
  const category = f.kind === 'category' && 'category' in f ? f.category : null;
  const disability = f.kind === 'disability' && 'grade' in f ? f : null;
  const money = 'amountFen' in f ? f.amountFen : null;
  const flag = 'flag' in f ? f.flag : null;
  const source = f.kind === 'category' ? 'decision' : f.kind === 'disability' ? 'agency' : 'declared';
  // FACT_COLUMNS: district, subject, id, type, kind, category, amount, quantity, flag, disability (2),
  // valid from/to, source kind/ref, recorded by.
  return csvRow([
    SEED_DISTRICT,
    subjectId,
    randomUUID(),
    subject,
    f.kind,
    category,
    money,
    null,
    flag,
    disability?.category ?? null,
    disability?.grade ?? null,
    FROM,
    null,
    source,
    SOURCE,
    seedActor.userId,
  ]);
}

/** The registry rows (households, persons, memberships, facts) of every row's persons, by COPY in one unit. */
async function writeRegistry(store: Store): Promise<Recipient[]> {
  const where = committees();
  const out: Recipient[] = [];
  const tables = { households: '', persons: '', members: '', facts: '' };
  let serial = 0;
  for (const row of SEED_TABLE) {
    const full = Math.floor(row.personTimes / 12);
    const rest = row.personTimes % 12;
    for (let k = 0; k < full + (rest > 0 ? 1 : 0); k++) {
      const b = k % row.births.length;
      const j = Math.floor(k / row.births.length);
      const birth = addDays(row.births[b]!, j % 300);
      const sex = k % 2 === 0 ? 1 : 2;
      const given = sex === 1 ? NAME_PARTS.male : NAME_PARTS.female;
      const name = `${NAME_PARTS.surnames[serial % NAME_PARTS.surnames.length]}${given[(serial * 7) % given.length]}`;
      const committee = where[serial % where.length]!;
      const r: Recipient = {
        row,
        personId: randomUUID(),
        householdId: randomUUID(),
        committee,
        toMonth: k < full ? '2020-12' : `2020-${String(rest).padStart(2, '0')}`,
      };
      serial += 1;
      out.push(r);
      const disability = row.facts.find((f) => f.kind === 'disability');
      const categories = row.facts.flatMap((f) => (f.kind === 'category' ? [f.category] : []));
      tables.households += csvRow([
        SEED_DISTRICT,
        r.householdId,
        `SC-${row.code}-${String(k + 1).padStart(5, '0')}`,
        committee.slice(0, 9),
        committee,
        '',
        name,
        nameInitials(name),
        0,
        0,
        1,
        false,
        0,
        0,
      ]);
      // PERSON_COLUMNS; the person's own columns mirror the facts (the engine reads the facts).
      tables.persons += csvRow([
        SEED_DISTRICT,
        r.personId,
        makeIdNumber(SEED_DISTRICT, birth, Math.floor(j / 300) + 1),
        name,
        nameInitials(name),
        sex,
        birth,
        null,
        null,
        null,
        null,
        committee.slice(0, 9),
        committee,
        disability?.category ?? null,
        disability?.grade ?? null,
        false,
        row.facts.some((f) => f.kind === 'serious_illness'),
        !row.facts.some((f) => f.kind === 'supporter'),
        `{${categories.join(',')}}`,
        0,
        0,
        0,
      ]);
      tables.members += csvRow([
        SEED_DISTRICT,
        r.householdId,
        r.personId,
        HEAD_RELATION,
        FROM,
        null,
        null,
        0,
      ]);
      tables.facts += factRow(r.personId, 'person', { kind: 'wage', amountFen: 0 });
      for (const f of row.facts) tables.facts += factRow(r.personId, 'person', f);
      tables.facts += factRow(r.householdId, 'household', { kind: 'monetary_assets', amountFen: 0 });
    }
  }
  await inUnitOfWork(store, seedActor, async (tx) => {
    const rows = {
      households: await tx.copyFrom('households', HOUSEHOLD_COLUMNS, [tables.households]),
      persons: await tx.copyFrom('persons', PERSON_COLUMNS, [tables.persons]),
      household_members: await tx.copyFrom('household_members', MEMBER_COLUMNS, [tables.members]),
      economic_facts: await tx.copyFrom('economic_facts', FACT_COLUMNS, [tables.facts]),
    };
    tx.recordBatch({
      action: 'registry.import',
      entityType: 'district',
      entityId: `seed-check:${SEED_DISTRICT}`,
      district: SEED_DISTRICT,
      digest: new RowDigest().add(tables),
      summary: rows,
    });
  });
  // As the registry's own loaders do (roster import, demo): planner statistics for what was just loaded. The
  // embedded store has no autovacuum; without them the engine input of a batch is planned as nested loops over
  // tables believed empty (a month's runs took 45 s instead of a few).
  await analyzeRegistryTables(store.db);
  return out;
}

const ENTITLEMENT_COLUMNS = [
  'district_code',
  'id',
  'program',
  'beneficiary_kind',
  'beneficiary_id',
  'household_id',
  'person_id',
  'committee_code',
  'payee_person_id',
  'payee_role',
  'bank_name',
  'account_no',
  'schedule',
  'amount_fen',
  'from_month',
  'to_month',
  'state',
  'rule',
  'version',
  'created_at',
  'updated_at',
] as const;

export interface SeedRecipients {
  persons: number;
  /** Persons by row code. */
  byRow: Map<string, number>;
}

/**
 * The seed check's recipients: the registry rows, then one grain_oil entitlement per person at the engine's
 * amount for 2020-01 (read back through the engine input the run reads), from 2020-01 to its last month. A
 * person whose engine amount is not their row's benefit is a fixture defect: thrown, nothing entitled.
 */
export async function seedRecipients(store: Store): Promise<SeedRecipients> {
  await seedDivisions(store);
  const recipients = await writeRegistry(store);
  const month = SEED_MONTHS[0]!;
  const params = baselineParameters().forDistrict(SEED_DISTRICT);
  const houses = new Map<string, PolicyHousehold>();
  for await (const h of streamPolicyHouseholds(store.db, divisionScope(SEED_DISTRICT), month, {
    batchSize: 5000,
  })) {
    houses.set(h.householdId, h.household);
  }
  const subjects: EngineSubject[] = recipients.map((r) => ({
    id: r.personId,
    program: 'grain_oil',
    householdId: r.householdId,
    personId: r.personId,
  }));
  const amounts = engineAmounts(houses, subjects, month, params);
  const expected = {
    card: params.series('grain_oil.card'),
    voucher: params.series('grain_oil.voucher'),
  };
  let lines = '';
  const byRow = new Map<string, number>();
  for (const [n, r] of recipients.entries()) {
    const a = amounts.get(r.personId);
    const want = valueIn(expected[r.row.benefit], month);
    if (!a || 'error' in a || a.amountFen !== want) {
      throw new Error(
        `种子核对数据有误：${r.row.label} 的人员按引擎应发 ${want} 分，实得 ${JSON.stringify(a ?? null)}`,
      );
    }
    byRow.set(r.row.code, (byRow.get(r.row.code) ?? 0) + 1);
    lines += csvRow([
      SEED_DISTRICT,
      randomUUID(),
      'grain_oil',
      'person',
      r.personId,
      r.householdId,
      r.personId,
      r.committee,
      r.personId,
      'beneficiary',
      '上海农商银行',
      `62220020${String(n + 1).padStart(11, '0')}`,
      'monthly',
      a.amountFen,
      month,
      r.toMonth,
      'active',
      'seed_check',
      1,
      CREATED_AT,
      CREATED_AT,
    ]);
  }
  await inUnitOfWork(store, seedActor, async (tx) => {
    const rows = await tx.copyFrom('entitlements', ENTITLEMENT_COLUMNS, [lines]);
    tx.recordBatch({
      action: 'entitlement.created',
      entityType: 'entitlement',
      entityId: `seed-check:${SEED_DISTRICT}`,
      district: SEED_DISTRICT,
      digest: new RowDigest().add({ rows }),
    });
  });
  return { persons: recipients.length, byRow };
}

/** A parameter's value in force on the month's first day (SPEC.md: the month's value). */
export function valueIn(series: ParameterSeries | undefined, month: string): number {
  const entries = (series?.entries ?? []).filter((e) => e.key <= `${month}-01`);
  const last = entries[entries.length - 1];
  if (!last) throw new Error(`参数在 ${month} 没有取值`);
  return last.value;
}
