import { and, asc, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db, Session } from '../../db/store.ts';
import { selectRows } from '../../db/sql.ts';
import type { Category } from '../../policy/household.ts';
import { CATEGORY_LIST, isCategory } from '../codes.ts';
import {
  HOUSEHOLD_DEFAULTS,
  PERSON_DEFAULTS,
  SPENDING_KINDS,
  type FactKind,
  type FactRecord,
  type HouseholdFigures,
  type PersonFigures,
  type SourceKind,
  type SubjectType,
} from './facts.types.ts';
import { spendingWindowEnd, spendingWindowStart } from './facts.resolver.ts';
import { economicFacts } from './schema.ts';

/**
 * SQL of the economic facts: reading a subject's facts, writing them, and the contract of facts.resolver.ts
 * in SQL for bulk reads (`personFiguresSql`, `householdFiguresSql`). facts.repository.test.ts holds the SQL to
 * the pure resolver's answers.
 */

const factColumns = {
  districtCode: economicFacts.districtCode,
  id: economicFacts.id,
  subjectType: economicFacts.subjectType,
  subjectId: economicFacts.subjectId,
  kind: economicFacts.kind,
  category: economicFacts.category,
  amountFen: economicFacts.amountFen,
  quantity: economicFacts.quantity,
  flag: economicFacts.flag,
  disabilityCategory: economicFacts.disabilityCategory,
  disabilityGrade: economicFacts.disabilityGrade,
  validFrom: economicFacts.validFrom,
  validTo: economicFacts.validTo,
  sourceKind: economicFacts.sourceKind,
  sourceRef: economicFacts.sourceRef,
  recordedAt: economicFacts.recordedAt,
  recordedBy: economicFacts.recordedBy,
  voidedAt: economicFacts.voidedAt,
  voidReason: economicFacts.voidReason,
  replacedBy: economicFacts.replacedBy,
  version: economicFacts.version,
};

type FactRow = typeof economicFacts.$inferSelect;

function toFactRecord(row: FactRow): FactRecord {
  return {
    ...row,
    subjectType: row.subjectType as SubjectType,
    kind: row.kind as FactKind,
    sourceKind: row.sourceKind as SourceKind,
    category: row.category !== null && isCategory(row.category) ? row.category : null,
    recordedAt: row.recordedAt.toISOString(),
    voidedAt: row.voidedAt === null ? null : row.voidedAt.toISOString(),
  };
}

function toRow(f: FactRecord) {
  return {
    ...f,
    recordedAt: new Date(f.recordedAt),
    voidedAt: f.voidedAt === null ? null : new Date(f.voidedAt),
  };
}

/**
 * Serialises writes to one subject's facts until the transaction ends (supersession reads the latest fact
 * of a kind and ends it: two concurrent writers must not both read the same one). Advisory locks are
 * database-wide, so the key names the schema too.
 */
export async function lockSubjectFacts(db: Db, districtCode: string, subjectId: string): Promise<void> {
  await db.execute(
    sql`select pg_advisory_xact_lock(hashtext('minzheng-facts:' || current_schema() || ':' || ${districtCode} || ':' || ${subjectId}))`,
  );
}

/** Every fact of one subject (history, voided ones included), oldest first. */
export async function factsOfSubject(db: Db, districtCode: string, subjectId: string): Promise<FactRecord[]> {
  const rows = await db
    .select(factColumns)
    .from(economicFacts)
    .where(and(eq(economicFacts.districtCode, districtCode), eq(economicFacts.subjectId, subjectId)))
    .orderBy(
      asc(economicFacts.kind),
      asc(economicFacts.validFrom),
      asc(economicFacts.recordedAt),
      asc(economicFacts.id),
    );
  return rows.map(toFactRecord);
}

/** Every fact of these subjects of one district (one index range per subject). */
export async function factsOfSubjects(
  db: Db,
  districtCode: string,
  subjectIds: readonly string[],
): Promise<FactRecord[]> {
  if (subjectIds.length === 0) return [];
  const rows = await db
    .select(factColumns)
    .from(economicFacts)
    .where(
      and(
        eq(economicFacts.districtCode, districtCode),
        sql`${economicFacts.subjectId} = any(${uuidArray(subjectIds)})`,
      ),
    );
  return rows.map(toFactRecord);
}

export async function findFact(
  db: Db,
  key: { districtCode: string; subjectId: string; id: string },
  forUpdate = false,
): Promise<FactRecord | undefined> {
  const query = db
    .select(factColumns)
    .from(economicFacts)
    .where(
      and(
        eq(economicFacts.districtCode, key.districtCode),
        eq(economicFacts.subjectId, key.subjectId),
        eq(economicFacts.id, key.id),
      ),
    );
  const rows = forUpdate ? await query.for('update') : await query;
  return rows[0] ? toFactRecord(rows[0]) : undefined;
}

/**
 * The fact a new one of the same subject, kind, source (and category) supersedes: the one with the latest
 * valid_from among those not voided.
 */
export async function latestOfSameKey(
  db: Db,
  key: {
    districtCode: string;
    subjectId: string;
    kind: FactKind;
    sourceKind: SourceKind;
    category: Category | null;
  },
): Promise<FactRecord | undefined> {
  const rows = await db
    .select(factColumns)
    .from(economicFacts)
    .where(
      and(
        eq(economicFacts.districtCode, key.districtCode),
        eq(economicFacts.subjectId, key.subjectId),
        eq(economicFacts.kind, key.kind),
        eq(economicFacts.sourceKind, key.sourceKind),
        key.category === null ? isNull(economicFacts.category) : eq(economicFacts.category, key.category),
        isNull(economicFacts.voidedAt),
      ),
    )
    .orderBy(desc(economicFacts.validFrom), desc(economicFacts.recordedAt), desc(economicFacts.id))
    .limit(1);
  return rows[0] ? toFactRecord(rows[0]) : undefined;
}

export async function insertFact(db: Db, fact: FactRecord): Promise<void> {
  await db.insert(economicFacts).values(toRow(fact));
}

/** The compare-and-set of a change to one fact: that fact, at the version read, not voided. */
function currentVersion(key: { districtCode: string; subjectId: string; id: string }, version: number) {
  return and(
    eq(economicFacts.districtCode, key.districtCode),
    eq(economicFacts.subjectId, key.subjectId),
    eq(economicFacts.id, key.id),
    eq(economicFacts.version, version),
    isNull(economicFacts.voidedAt),
  );
}

/**
 * Sets a fact's end, compare-and-set on its version (and on it not being voided); returns the row after the
 * change, or undefined when the version no longer matches.
 */
export async function setFactEnd(
  db: Db,
  key: { districtCode: string; subjectId: string; id: string },
  version: number,
  validTo: string,
): Promise<FactRecord | undefined> {
  const rows = await db
    .update(economicFacts)
    .set({ validTo, version: sql`${economicFacts.version} + 1` })
    .where(currentVersion(key, version))
    .returning(factColumns);
  return rows[0] ? toFactRecord(rows[0]) : undefined;
}

/** Withdraws a fact (a correction): compare-and-set on its version; the row after, or undefined. */
export async function voidFactRow(
  db: Db,
  key: { districtCode: string; subjectId: string; id: string },
  version: number,
  change: { voidedAt: string; voidReason: string; replacedBy: string | null },
): Promise<FactRecord | undefined> {
  const rows = await db
    .update(economicFacts)
    .set({
      voidedAt: new Date(change.voidedAt),
      voidReason: change.voidReason,
      replacedBy: change.replacedBy,
      version: sql`${economicFacts.version} + 1`,
    })
    .where(currentVersion(key, version))
    .returning(factColumns);
  return rows[0] ? toFactRecord(rows[0]) : undefined;
}

/**
 * Ends every fact of a person that is still valid on `date` or starts after it (a death): valid_to becomes
 * `date`, or valid_from for a fact that starts later (kept, empty). Spending is dated, not valid, and is
 * left as it is. Returns the rows before and after.
 */
export async function endPersonFactsFrom(
  db: Db,
  districtCode: string,
  personId: string,
  date: string,
): Promise<{ before: FactRecord; after: FactRecord }[]> {
  const rows = await selectRows<{ id: string }>(
    db,
    sql`select id from economic_facts
        where district_code = ${districtCode} and subject_id = ${personId}::uuid and voided_at is null
          and kind not in (${sql.join(
            SPENDING_KINDS.map((k) => sql`${k}`),
            sql`, `,
          )})
          and (valid_to is null or valid_to > greatest(valid_from, ${date}::date))
        for update`,
  );
  const out: { before: FactRecord; after: FactRecord }[] = [];
  for (const { id } of rows) {
    const key = { districtCode, subjectId: personId, id };
    const before = await findFact(db, key);
    if (!before) continue;
    const end = before.validFrom > date ? before.validFrom : date;
    const after = await setFactEnd(db, key, before.version, end);
    if (after) out.push({ before, after });
  }
  return out;
}

/**
 * The facts of a person that a death ended on `end` (the day after it): not voided, not spending, ending
 * on that day with no fact of the same key (kind, source, category) from that day on, locked for update.
 */
export async function factsEndedOn(
  db: Db,
  districtCode: string,
  personId: string,
  end: string,
): Promise<FactRecord[]> {
  const rows = await db
    .select(factColumns)
    .from(economicFacts)
    .where(
      and(
        eq(economicFacts.districtCode, districtCode),
        eq(economicFacts.subjectId, personId),
        eq(economicFacts.validTo, end),
        isNull(economicFacts.voidedAt),
        sql`${economicFacts.kind} not in (${SPENDING_SQL})`,
        sql`not exists (select 1 from economic_facts g
          where g.district_code = ${economicFacts.districtCode} and g.subject_id = ${economicFacts.subjectId}
            and g.kind = ${economicFacts.kind} and g.source_kind = ${economicFacts.sourceKind}
            and g.category is not distinct from ${economicFacts.category}
            and g.voided_at is null and g.valid_from >= ${end}::date)`,
      ),
    )
    .for('update');
  return rows.map(toFactRecord);
}

// ---- the contract in SQL ------------------------------------------------------------------------

/** The source rank of facts.types.ts SOURCE_RANK, as SQL over the alias `f`. */
const RANK = sql.raw(
  `(case f.source_kind when 'verified' then 3 when 'agency' then 2 when 'declared' then 1 else 4 end)`,
);

const SPENDING_SQL = sql.raw(SPENDING_KINDS.map((k) => `'${k}'`).join(','));
const CATEGORY_ORDER_SQL = sql.raw(`array[${CATEGORY_LIST.map((c) => `'${c}'`).join(',')}]::text[]`);

/**
 * Which subjects' facts to read: a list of ids, a range of ids (a keyset batch of households), the subjects
 * a subquery yields, a half-open range lower ≤ id < upper (a part of a district), or every subject of the
 * district.
 */
export type SubjectFilter =
  | { ids: readonly string[] }
  | { from: string; to: string }
  | { sql: SQL }
  | { part: { lower?: string | undefined; upper?: string | undefined } }
  | { all: true };

function subjectWhere(filter: SubjectFilter): SQL {
  if ('ids' in filter) return sql`f.subject_id = any(${uuidArray(filter.ids)})`;
  if ('from' in filter) return sql`f.subject_id between ${filter.from}::uuid and ${filter.to}::uuid`;
  if ('sql' in filter) return sql`f.subject_id in (${filter.sql})`;
  if ('part' in filter) {
    const { lower, upper } = filter.part;
    return sql`${lower ? sql`f.subject_id >= ${lower}::uuid` : sql`true`} and ${upper ? sql`f.subject_id < ${upper}::uuid` : sql`true`}`;
  }
  return sql`true`;
}

function uuidArray(ids: readonly string[]): SQL {
  return sql`${`{${ids.join(',')}}`}::uuid[]`;
}

/**
 * Rules 1–3 and 5 for persons, as one SELECT: one row per person of `filter` who has at least one fact
 * counting on `day` (subject_id, wage_fen, pension_fen, other_income_fen, disability_category,
 * disability_grade, employed, serious_illness, has_supporter, categories). Persons without a row take the
 * defaults (personFiguresOf).
 */
export function personFiguresSql(districtCode: string, filter: SubjectFilter, day: string): SQL {
  return sql`select w.subject_id,
      max(w.amount_fen) filter (where w.kind = 'wage') as wage_fen,
      max(w.amount_fen) filter (where w.kind = 'pension') as pension_fen,
      max(w.amount_fen) filter (where w.kind = 'other_income') as other_income_fen,
      max(w.disability_category) filter (where w.kind = 'disability') as disability_category,
      max(w.disability_grade) filter (where w.kind = 'disability') as disability_grade,
      bool_or(w.flag) filter (where w.kind = 'employment') as employed,
      bool_or(w.flag) filter (where w.kind = 'serious_illness') as serious_illness,
      bool_or(w.flag) filter (where w.kind = 'supporter') as has_supporter,
      string_agg(w.category, ',') filter (where w.kind = 'category') as categories
    from (
      select distinct on (f.subject_id, f.kind, f.category)
        f.subject_id, f.kind, f.category, f.amount_fen, f.flag, f.disability_category, f.disability_grade
      from economic_facts f
      where f.district_code = ${districtCode} and ${subjectWhere(filter)} and f.subject_type = 'person'
        and f.voided_at is null and f.valid_from <= ${day}::date and (f.valid_to is null or f.valid_to > ${day}::date)
        and (f.kind <> 'category' or f.source_kind = 'decision')
      order by f.subject_id, f.kind, f.category, ${RANK} desc, f.valid_from desc, f.recorded_at desc, f.id desc
    ) w
    group by w.subject_id`;
}

/**
 * Rules 1, 3, 4 and 5 for households, as one SELECT: one row per household of `filter` with at least one
 * fact counting for `day` (subject_id, monetary_assets_fen, vehicles, homes, floor_area_below_average,
 * medical_expense_fen, education_expense_fen). The winner of each state kind comes from DISTINCT ON over the
 * rule-3 order; spending in the window is summed per source rank and the highest rank present taken (rule
 * 4), in the same grouping (no window function: a second sort of the spending costs a third of the time).
 */
export function householdFiguresSql(districtCode: string, filter: SubjectFilter, day: string): SQL {
  const from = spendingWindowStart(day);
  const to = spendingWindowEnd(day);
  const spent = (kind: string) =>
    sql`coalesce(sum(w.amount_fen) filter (where w.kind = ${kind} and w.rank = 3),
      sum(w.amount_fen) filter (where w.kind = ${kind} and w.rank = 2),
      sum(w.amount_fen) filter (where w.kind = ${kind} and w.rank = 1))`;
  return sql`select w.subject_id,
      max(w.amount_fen) filter (where w.kind = 'monetary_assets') as monetary_assets_fen,
      max(w.quantity) filter (where w.kind = 'vehicles') as vehicles,
      max(w.quantity) filter (where w.kind = 'homes') as homes,
      bool_or(w.flag) filter (where w.kind = 'floor_area_below_average') as floor_area_below_average,
      ${spent('medical_expense')} as medical_expense_fen,
      ${spent('education_expense')} as education_expense_fen
    from (
      (select distinct on (f.subject_id, f.kind) f.subject_id, f.kind, f.amount_fen, f.quantity, f.flag, 0 as rank
        from economic_facts f
        where f.district_code = ${districtCode} and ${subjectWhere(filter)} and f.subject_type = 'household'
          and f.kind not in (${SPENDING_SQL})
          and f.voided_at is null and f.valid_from <= ${day}::date and (f.valid_to is null or f.valid_to > ${day}::date)
        order by f.subject_id, f.kind, ${RANK} desc, f.valid_from desc, f.recorded_at desc, f.id desc)
      union all
      (select f.subject_id, f.kind, f.amount_fen, null, null, ${RANK}
        from economic_facts f
        where f.district_code = ${districtCode} and ${subjectWhere(filter)} and f.subject_type = 'household'
          and f.kind in (${SPENDING_SQL}) and f.voided_at is null
          and f.valid_from >= ${from}::date and f.valid_from < ${to}::date)
    ) w
    group by w.subject_id`;
}

/** A row of personFiguresSql as it arrives from either driver (bigint sums may come as strings). */
export interface PersonFiguresRow {
  subject_id: string;
  wage_fen: number | string | null;
  pension_fen: number | string | null;
  other_income_fen: number | string | null;
  disability_category: number | null;
  disability_grade: number | null;
  employed: boolean | null;
  serious_illness: boolean | null;
  has_supporter: boolean | null;
  categories: string[] | string | null;
}

export interface HouseholdFiguresRow {
  subject_id: string;
  monetary_assets_fen: number | string | null;
  vehicles: number | null;
  homes: number | null;
  floor_area_below_average: boolean | null;
  medical_expense_fen: number | string | null;
  education_expense_fen: number | string | null;
}

const num = (value: number | string | null | undefined, fallback: number): number =>
  value === null || value === undefined ? fallback : Number(value);

/**
 * Categories as node-postgres returns them (an array), as text ('{a,b}') from a raw driver, or as a
 * comma-separated list (personFiguresSql): known codes only, in SPEC.md's order.
 */
export function categoryList(value: string[] | string | null | undefined): Category[] {
  if (value === null || value === undefined || value === '' || value === '{}') return [];
  const list = Array.isArray(value) ? value : value.replace(/^\{|\}$/g, '').split(',');
  return CATEGORY_LIST.filter((c) => list.includes(c));
}

export function personFiguresOf(row: PersonFiguresRow | undefined): PersonFigures {
  if (!row) return { ...PERSON_DEFAULTS, categories: [] };
  return {
    wageFen: num(row.wage_fen, 0),
    pensionFen: num(row.pension_fen, 0),
    otherIncomeFen: num(row.other_income_fen, 0),
    disabilityCategory: row.disability_category ?? null,
    disabilityGrade: row.disability_grade ?? null,
    employed: row.employed ?? PERSON_DEFAULTS.employed,
    seriousIllness: row.serious_illness ?? PERSON_DEFAULTS.seriousIllness,
    hasSupporter: row.has_supporter ?? PERSON_DEFAULTS.hasSupporter,
    categories: categoryList(row.categories),
  };
}

export function householdFiguresOf(
  row: Omit<HouseholdFiguresRow, 'subject_id'> | undefined,
): HouseholdFigures {
  if (!row) return { ...HOUSEHOLD_DEFAULTS };
  return {
    monetaryAssetsFen: num(row.monetary_assets_fen, HOUSEHOLD_DEFAULTS.monetaryAssetsFen),
    vehicles: num(row.vehicles, HOUSEHOLD_DEFAULTS.vehicles),
    homes: num(row.homes, HOUSEHOLD_DEFAULTS.homes),
    perCapitaFloorAreaBelowAverage:
      row.floor_area_below_average ?? HOUSEHOLD_DEFAULTS.perCapitaFloorAreaBelowAverage,
    medicalExpenseAnnualFen: num(row.medical_expense_fen, 0),
    educationExpenseAnnualFen: num(row.education_expense_fen, 0),
  };
}

/** Resolved person figures on `day` for these persons of one district (SQL), by person id. */
export async function personFigures(
  db: Db,
  districtCode: string,
  filter: SubjectFilter,
  day: string,
): Promise<Map<string, PersonFigures>> {
  const rows = await selectRows<PersonFiguresRow>(db, personFiguresSql(districtCode, filter, day));
  return new Map(rows.map((r) => [r.subject_id, personFiguresOf(r)]));
}

/** Resolved household figures on `day` for these households of one district (SQL), by household id. */
export async function householdFigures(
  db: Db,
  districtCode: string,
  filter: SubjectFilter,
  day: string,
): Promise<Map<string, HouseholdFigures>> {
  const rows = await selectRows<HouseholdFiguresRow>(db, householdFiguresSql(districtCode, filter, day));
  return new Map(rows.map((r) => [r.subject_id, householdFiguresOf(r)]));
}

// ---- the projection on persons and households ----------------------------------------------------

/**
 * Keeps the undated columns of persons (income, disability, flags, categories) equal to the facts resolved
 * on `day` (the service passes the first day of next month): they are a projection for display, search and
 * figures; the engine never reads them.
 */
export async function projectPersons(
  db: Db,
  districtCode: string,
  personIds: readonly string[],
  day: string,
): Promise<void> {
  if (personIds.length === 0) return;
  await db.execute(sql`
    update persons p set
      wage_fen = coalesce(r.wage_fen, 0), pension_fen = coalesce(r.pension_fen, 0),
      other_income_fen = coalesce(r.other_income_fen, 0),
      disability_category = r.disability_category, disability_grade = r.disability_grade,
      employed = coalesce(r.employed, false), serious_illness = coalesce(r.serious_illness, false),
      has_supporter = coalesce(r.has_supporter, true),
      categories = coalesce((select array_agg(c order by array_position(${CATEGORY_ORDER_SQL}, c))
        from unnest(string_to_array(r.categories, ',')) c), '{}'),
      updated_at = now()
    from unnest(${uuidArray(personIds)}) as x(id)
    left join (${personFiguresSql(districtCode, { ids: personIds }, day)}) r on r.subject_id = x.id
    where p.district_code = ${districtCode} and p.id = x.id`);
}

export async function projectHouseholds(
  db: Db,
  districtCode: string,
  householdIds: readonly string[],
  day: string,
): Promise<void> {
  if (householdIds.length === 0) return;
  await db.execute(sql`
    update households h set
      monetary_assets_fen = coalesce(r.monetary_assets_fen, 0), vehicles = coalesce(r.vehicles, 0),
      homes = coalesce(r.homes, 1),
      per_capita_floor_area_below_average = coalesce(r.floor_area_below_average, false),
      medical_expense_annual_fen = coalesce(r.medical_expense_fen, 0),
      education_expense_annual_fen = coalesce(r.education_expense_fen, 0),
      updated_at = now()
    from unnest(${uuidArray(householdIds)}) as x(id)
    left join (${householdFiguresSql(districtCode, { ids: householdIds }, day)}) r on r.subject_id = x.id
    where h.district_code = ${districtCode} and h.id = x.id`);
}

// ---- bulk load ----------------------------------------------------------------------------------

/** The COPY columns of economic_facts for bulk loads (recorded_at, version and the void columns default). */
export const FACT_COPY_COLUMNS = [
  'district_code',
  'subject_id',
  'id',
  'subject_type',
  'kind',
  'category',
  'amount_fen',
  'quantity',
  'flag',
  'disability_category',
  'disability_grade',
  'valid_from',
  'valid_to',
  'source_kind',
  'source_ref',
  'recorded_by',
] as const;

export function copyFactRows(
  session: Session,
  chunks: Iterable<string> | AsyncIterable<string>,
): Promise<number> {
  return session.copyFrom('economic_facts', FACT_COPY_COLUMNS, chunks);
}

// ---- verified facts in bulk ---------------------------------------------------------------------

/** A PostgreSQL array literal of scalars (each element quoted; null as NULL). */
function arrayLiteral(values: readonly (string | number | boolean | null)[]): string {
  const items = values.map((v) => {
    if (v === null) return 'NULL';
    if (typeof v !== 'string') return String(v);
    return `"${/["\\]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') : v}"`;
  });
  return `{${items.join(',')}}`;
}

/** One verified fact to write (kind person wage/pension/other_income/employment, household money/counts). */
export interface VerifiedFactRow {
  districtCode: string;
  subjectType: SubjectType;
  subjectId: string;
  id: string;
  kind: FactKind;
  amountFen: number | null;
  quantity: number | null;
  flag: boolean | null;
  validFrom: string;
  sourceRef: string;
}

export interface VerifiedFactsWritten {
  /** Earlier verified facts of the same subject and kind that the new ones ended, and their SHA-256. */
  ended: number;
  endedSha256: string;
  /** New facts not written: a verified fact of the same subject and kind starts later (rule 4 refuses). */
  skipped: string[];
  /** New facts not written because the verified fact in force on their date says the same (it stands). */
  unchanged: number;
  /** The subjects whose facts changed (a fact inserted or ended): their projection must follow. */
  changedSubjects: string[];
  /** How many were inserted, and the SHA-256 (hex) of them as stored, computed by the server (see below). */
  inserted: number;
  insertedSha256: string;
}

/**
 * The text a batch digest of verified facts covers, one line per fact in id order, as the server computes
 * it over the rows it inserted (an auditor recomputes it from economic_facts with the same expression).
 */
export const VERIFIED_FACT_LINE =
  "concat_ws('|', district_code, subject_id, id, kind, amount_fen, quantity, flag, valid_from, source_ref)";
/** The same for a fact the batch ended: its key, new end and version. */
export const ENDED_FACT_LINE = "concat_ws('|', district_code, subject_id, id, valid_to, version)";

/**
 * Rule 4 for many verified facts in one statement: the latest verified fact (not voided) of each new fact's
 * subject and kind ends on the new fact's start (when it starts on or before it and still holds then), and
 * the new facts are inserted — except those that would start before the latest verified fact of their key,
 * which are left out and returned (rewriting history is a correction). The earlier fact is ended only at
 * the version read (compare-and-set inside the statement). At most one new fact per subject and kind.
 * A new fact whose value the verified fact in force on its date already holds is not written: that fact
 * stands (a re-verification that finds nothing changed writes nothing for it).
 * What was written comes back as counts and SHA-256 digests computed by the server over the rows as stored
 * (VERIFIED_FACT_LINE, ENDED_FACT_LINE), not as rows: a batch may end and insert millions.
 */
export async function writeVerifiedFacts(
  db: Db,
  rows: readonly VerifiedFactRow[],
  recordedAt: Date,
  recordedBy: string | null,
): Promise<VerifiedFactsWritten> {
  if (rows.length === 0) {
    return {
      ended: 0,
      endedSha256: '',
      skipped: [],
      unchanged: 0,
      changedSubjects: [],
      inserted: 0,
      insertedSha256: '',
    };
  }
  const col = <T extends string | number | boolean | null>(pick: (r: VerifiedFactRow) => T) =>
    arrayLiteral(rows.map(pick));
  const result = await selectRows<{
    what: 'ended' | 'skipped' | 'unchanged' | 'inserted' | 'changed';
    sha256: string;
    n: number;
  }>(
    db,
    sql`with n as (
      select * from unnest(${col((r) => r.districtCode)}::text[], ${col((r) => r.subjectId)}::uuid[],
        ${col((r) => r.id)}::uuid[], ${col((r) => r.subjectType)}::text[], ${col((r) => r.kind)}::text[],
        ${col((r) => r.amountFen)}::bigint[], ${col((r) => r.quantity)}::int[], ${col((r) => r.flag)}::boolean[],
        ${col((r) => r.validFrom)}::date[], ${col((r) => r.sourceRef)}::text[])
        as n(district_code, subject_id, id, subject_type, kind, amount_fen, quantity, flag, valid_from, source_ref)
    ), prev as (
      select distinct on (f.district_code, f.subject_id, f.kind)
        f.district_code, f.subject_id, f.kind, f.id, f.valid_from, f.version, n.valid_from as new_from,
        n.id as new_id,
        (f.valid_from <= n.valid_from and (f.valid_to is null or f.valid_to > n.valid_from)
          and f.amount_fen is not distinct from n.amount_fen and f.quantity is not distinct from n.quantity
          and f.flag is not distinct from n.flag) as same
      from n join economic_facts f
        on f.district_code = n.district_code and f.subject_id = n.subject_id and f.kind = n.kind
      where f.source_kind = 'verified' and f.category is null and f.voided_at is null
      order by f.district_code, f.subject_id, f.kind, f.valid_from desc, f.recorded_at desc, f.id desc
    ), ended as (
      update economic_facts f set valid_to = p.new_from, version = f.version + 1
      from prev p
      where f.district_code = p.district_code and f.subject_id = p.subject_id and f.id = p.id
        and not p.same and f.version = p.version and f.voided_at is null
        and p.valid_from <= p.new_from and (f.valid_to is null or f.valid_to > p.new_from)
      returning f.district_code, f.subject_id, f.id, f.valid_to, f.version
    ), refused as (
      select n.id, n.district_code, n.subject_id from n join prev p
        on p.district_code = n.district_code and p.subject_id = n.subject_id and p.kind = n.kind
      where p.valid_from > n.valid_from
    ), ins as (
      -- Executed whether or not the result reads it (PostgreSQL runs every data-modifying WITH once).
      insert into economic_facts (district_code, subject_id, id, subject_type, kind, amount_fen, quantity, flag,
        valid_from, source_kind, source_ref, recorded_at, recorded_by)
      select n.district_code, n.subject_id, n.id, n.subject_type, n.kind, n.amount_fen, n.quantity, n.flag,
        n.valid_from, 'verified', n.source_ref, ${recordedAt.toISOString()}::timestamptz, ${recordedBy}
      from n where n.id not in (select id from refused) and n.id not in (select new_id from prev where same)
      returning district_code, subject_id, id, kind, amount_fen, quantity, flag, valid_from, source_ref
    )
    select 'skipped' as what, id::text as sha256, 0 as n from refused
    union all
    (select 'changed', subject_id::text, 0 from ins union select 'changed', subject_id::text, 0 from ended)
    union all
    select 'unchanged', '', count(*)::int from prev where same
    union all
    select 'ended', coalesce(encode(sha256(convert_to(string_agg(${sql.raw(ENDED_FACT_LINE)}, E'\n'
        order by id), 'UTF8')), 'hex'), ''), count(*)::int from ended
    union all
    select 'inserted', coalesce(encode(sha256(convert_to(string_agg(${sql.raw(VERIFIED_FACT_LINE)}, E'\n'
        order by id), 'UTF8')), 'hex'), ''), count(*)::int from ins`,
  );
  const out: VerifiedFactsWritten = {
    ended: 0,
    endedSha256: '',
    skipped: [],
    unchanged: 0,
    changedSubjects: [],
    inserted: 0,
    insertedSha256: '',
  };
  for (const r of result) {
    if (r.what === 'skipped') out.skipped.push(r.sha256);
    else if (r.what === 'changed') out.changedSubjects.push(r.sha256);
    else if (r.what === 'unchanged') out.unchanged = Number(r.n);
    else if (r.what === 'ended') {
      out.ended = Number(r.n);
      out.endedSha256 = r.sha256;
    } else {
      out.inserted = Number(r.n);
      out.insertedSha256 = r.sha256;
    }
  }
  return out;
}
