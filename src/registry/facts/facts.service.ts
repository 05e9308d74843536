import type { AuditAction } from '../../audit/actions.ts';
import { isValidIsoDate } from '../id-number.ts';
import { randomUUID } from 'node:crypto';
import type { DataScope } from '../../auth/scope.ts';
import { shanghaiToday } from '../../core/clock.ts';
import type { Db } from '../../db/store.ts';
import { staleVersion } from '../../workflow/workflow.errors.ts';
import type { RowDigest, WorkTx } from '../../workflow/unit-of-work.ts';
import { CATEGORY_NAMES, DISABILITY_CATEGORIES, DISABILITY_GRADES } from '../codes.ts';
import { findHousehold } from '../household.repository.ts';
import { findPerson, personRowsById } from '../person.repository.ts';
import { RegistryError, RegistryValidationError } from '../registry.errors.ts';
import type { HouseholdRecord, PersonRecord } from '../registry.types.ts';
import type { Problem } from '../registry.validation.ts';
import { countingFactIds, resolveHousehold, resolvePerson } from './facts.resolver.ts';
import {
  endPersonFactsFrom,
  factsEndedOn,
  factsOfSubject,
  findFact,
  insertFact,
  latestOfSameKey,
  lockSubjectFacts,
  projectHouseholds,
  projectPersons,
  setFactEnd,
  voidFactRow,
  writeVerifiedFacts,
  type VerifiedFactRow,
} from './facts.repository.ts';
import {
  FACT_KINDS,
  SOURCE_KINDS,
  type FactRecord,
  type HouseholdFigures,
  type PersonFigures,
  type SubjectType,
} from './facts.types.ts';
import {
  checkEndDate,
  checkNewFact,
  checkReason,
  type CheckedFact,
  type NewFactInput,
} from './facts.validation.ts';
import { formatYuan } from '../../policy/engine/exact.ts';

/**
 * 经济状况事实: add, end and correct a fact, list a subject's facts as of a date. Every write runs in the
 * caller's unit of work (tx), checks the subject lies in the caller's scope, validates before it writes
 * (all problems at once, in Chinese, nothing written otherwise), records each changed row for the audit
 * chain, and keeps the subject's projection columns (persons / households: income, assets …) equal to the
 * facts resolved for next month. The rules themselves are facts.resolver.ts.
 */

export interface SubjectRef {
  subjectType: SubjectType;
  districtCode: string;
  subjectId: string;
}

export interface FactRef extends SubjectRef {
  factId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function throwIfProblems(problems: Problem[]): void {
  if (problems.length > 0) throw new RegistryValidationError(problems);
}

function notFound(): RegistryError {
  return new RegistryError('not_found', '记录不存在或不在您的数据范围内');
}

/** The subject in the caller's scope (person or household), or not_found (outside reads as absent). */
async function findSubject(
  db: Db,
  scope: DataScope,
  subject: SubjectRef,
  forUpdate = false,
): Promise<PersonRecord | HouseholdRecord> {
  if (!UUID.test(subject.subjectId) || !/^\d{6}$/.test(subject.districtCode)) throw notFound();
  const found =
    subject.subjectType === 'person'
      ? await findPerson(db, scope, subject.districtCode, subject.subjectId, forUpdate)
      : await findHousehold(
          db,
          scope,
          { districtCode: subject.districtCode, id: subject.subjectId },
          forUpdate,
        );
  if (!found) throw notFound();
  return found;
}

/** The first day of the month after `today`: the day the projection columns show. */
export function projectionDay(today: string): string {
  const [y, m] = today.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

async function refreshProjection(tx: WorkTx, subject: SubjectRef, today: string): Promise<void> {
  const day = projectionDay(today);
  if (subject.subjectType === 'person') {
    await projectPersons(tx.db, subject.districtCode, [subject.subjectId], day);
  } else {
    await projectHouseholds(tx.db, subject.districtCode, [subject.subjectId], day);
  }
}

function entityId(f: FactRecord): string {
  return `${f.subjectType}/${f.subjectId}/${f.id}`;
}

/** What a fact's value reads as, for messages and the console ("月收入 3500.00 元"). */
export function describeValue(f: Pick<FactRecord, 'kind'> & CheckedFactValue): string {
  const info = FACT_KINDS[f.kind];
  switch (info.shape) {
    case 'money':
      return `${formatYuan(f.amountFen ?? 0)} 元`;
    case 'count':
      return `${f.quantity ?? 0}`;
    case 'flag':
      return f.flag ? '是' : '否';
    case 'disability':
      return f.disabilityCategory === null || f.disabilityGrade === null
        ? '无残疾'
        : `${DISABILITY_CATEGORIES[f.disabilityCategory as keyof typeof DISABILITY_CATEGORIES] ?? f.disabilityCategory}${DISABILITY_GRADES[f.disabilityGrade as keyof typeof DISABILITY_GRADES] ?? f.disabilityGrade}`;
    case 'category':
      return f.category ? CATEGORY_NAMES[f.category] : '';
  }
}

type CheckedFactValue = Pick<
  FactRecord,
  'amountFen' | 'quantity' | 'flag' | 'disabilityCategory' | 'disabilityGrade' | 'category'
>;

function newRecord(tx: WorkTx, subject: SubjectRef, fact: CheckedFact): FactRecord {
  return {
    districtCode: subject.districtCode,
    id: randomUUID(),
    subjectType: subject.subjectType,
    subjectId: subject.subjectId,
    ...fact,
    recordedAt: tx.now.toISOString(),
    recordedBy: tx.actor.userId,
    voidedAt: null,
    voidReason: null,
    replacedBy: null,
    version: 1,
  };
}

/** A person's fact cannot start before their birth. */
function checkAgainstSubject(
  problems: Problem[],
  found: PersonRecord | HouseholdRecord,
  subject: SubjectRef,
  fact: CheckedFact,
): void {
  if (subject.subjectType === 'person' && 'birthDate' in found && fact.validFrom < found.birthDate) {
    problems.push({
      field: 'validFrom',
      message: `起始日期 ${fact.validFrom} 早于该人员的出生日期 ${found.birthDate}`,
    });
  }
}

export interface AddFactResult {
  fact: FactRecord;
  /** The fact of the same kind, subject and source that this one ended (kept as history), if any. */
  superseded: { before: FactRecord; after: FactRecord } | null;
}

/**
 * 新增事实. A new fact of the same kind, subject and source (and category) ends the previous one the day
 * before it starts (valid_to = the new valid_from, exclusive). A fact that would start before the one it
 * supersedes is refused: rewriting history is a correction (correctFact). Spending is dated, not valid over a
 * period, and supersedes nothing.
 */
export async function addFact(
  tx: WorkTx,
  scope: DataScope,
  subject: SubjectRef,
  input: NewFactInput,
): Promise<AddFactResult> {
  const today = shanghaiToday(tx.now);
  const { fact, problems } = checkNewFact(input, subject.subjectType, today);
  throwIfProblems(problems);
  const found = await findSubject(tx.db, scope, subject);
  checkAgainstSubject(problems, found, subject, fact!);
  throwIfProblems(problems);
  const checked = fact!;
  await lockSubjectFacts(tx.db, subject.districtCode, subject.subjectId);
  let superseded: AddFactResult['superseded'] = null;
  if (!FACT_KINDS[checked.kind].spending) {
    const previous = await latestOfSameKey(tx.db, {
      districtCode: subject.districtCode,
      subjectId: subject.subjectId,
      kind: checked.kind,
      sourceKind: checked.sourceKind,
      category: checked.category,
    });
    if (previous && checked.validFrom < previous.validFrom) {
      throw new RegistryError(
        'conflict',
        `新的「${FACT_KINDS[checked.kind].name}」（${SOURCE_KINDS[checked.sourceKind]}）起始日期 ${checked.validFrom} 早于它将取代的记录（自 ${previous.validFrom} 起，${describeValue(previous)}）：改写历史请使用“更正”并说明原因`,
        'validFrom',
      );
    }
    if (previous && (previous.validTo === null || previous.validTo > checked.validFrom)) {
      const after = await setFactEnd(
        tx.db,
        { districtCode: previous.districtCode, subjectId: previous.subjectId, id: previous.id },
        previous.version,
        checked.validFrom,
      );
      if (!after) throw staleVersion('该事实', previous.version);
      superseded = { before: previous, after };
      recordFact(tx, 'fact.superseded', after, previous);
    }
  }
  const record = newRecord(tx, subject, checked);
  await insertFact(tx.db, record);
  recordFact(tx, 'fact.added', record);
  await refreshProjection(tx, subject, today);
  return { fact: record, superseded };
}

export interface EndFactInput {
  /** The exclusive end: the first day the fact no longer holds. */
  validTo: string;
  /** The version the caller saw (optimistic locking). */
  version: number;
}

/** 结束事实: an open fact (no end yet) ends on `validTo` (exclusive). Changing an end is a correction. */
export async function endFact(
  tx: WorkTx,
  scope: DataScope,
  ref: FactRef,
  input: EndFactInput,
): Promise<FactRecord> {
  await findSubject(tx.db, scope, ref);
  if (!UUID.test(ref.factId)) throw notFound();
  const key = { districtCode: ref.districtCode, subjectId: ref.subjectId, id: ref.factId };
  await lockSubjectFacts(tx.db, ref.districtCode, ref.subjectId);
  const before = await findFact(tx.db, key, true);
  if (!before || before.subjectType !== ref.subjectType) throw notFound();
  if (before.voidedAt !== null) {
    throw new RegistryError('conflict', '该事实已被更正作废，不能再结束');
  }
  if (FACT_KINDS[before.kind].spending) {
    throw new RegistryError('validation', '支出按日期计入，没有结束日期；记错的支出请使用“更正”', 'validTo');
  }
  if (before.validTo !== null) {
    throw new RegistryError(
      'conflict',
      `该事实已于 ${before.validTo} 结束；修改结束日期请使用“更正”并说明原因`,
      'validTo',
    );
  }
  if (before.version !== input.version) throw staleVersion('该事实', before.version);
  throwIfProblems(checkEndDate(input.validTo, before.validFrom));
  const after = await setFactEnd(tx.db, key, input.version, input.validTo);
  if (!after) throw staleVersion('该事实', before.version);
  recordFact(tx, 'fact.ended', after, before);
  await refreshProjection(tx, ref, shanghaiToday(tx.now));
  return after;
}

export interface CorrectFactInput {
  version: number;
  /** Required: why the record was wrong (the audit row carries it). */
  reason: string;
  /** The corrected fact, or null/absent to withdraw the fact without replacement (recorded in error). */
  replacement?: NewFactInput | null | undefined;
}

export interface CorrectFactResult {
  voided: FactRecord;
  replacement: FactRecord | null;
}

/**
 * 更正事实: the explicit, audited rewriting of history. The fact is withdrawn (kept, marked voided with the
 * reason and the replacement's id; it never counts again) and, when given, the corrected fact is recorded in
 * its place with its own dates — which may start before other facts of its kind and source; nothing else is
 * ended by a correction.
 */
export async function correctFact(
  tx: WorkTx,
  scope: DataScope,
  ref: FactRef,
  input: CorrectFactInput,
): Promise<CorrectFactResult> {
  const problems = checkReason(input.reason);
  const today = shanghaiToday(tx.now);
  let replacement: CheckedFact | undefined;
  if (input.replacement) {
    const checked = checkNewFact(input.replacement, ref.subjectType, today, 'replacement.');
    problems.push(...checked.problems);
    replacement = checked.fact;
  }
  throwIfProblems(problems);
  const found = await findSubject(tx.db, scope, ref);
  if (!UUID.test(ref.factId)) throw notFound();
  const key = { districtCode: ref.districtCode, subjectId: ref.subjectId, id: ref.factId };
  await lockSubjectFacts(tx.db, ref.districtCode, ref.subjectId);
  const before = await findFact(tx.db, key, true);
  if (!before || before.subjectType !== ref.subjectType) throw notFound();
  if (before.voidedAt !== null) throw new RegistryError('conflict', '该事实已被更正作废');
  if (before.version !== input.version) throw staleVersion('该事实', before.version);
  if (replacement) {
    if (replacement.kind !== before.kind) {
      problems.push({
        field: 'replacement.kind',
        message: `更正不能改变事实类型（原为「${FACT_KINDS[before.kind].name}」）；请更正作废后另行新增`,
      });
    }
    checkAgainstSubject(problems, found, ref, replacement);
    throwIfProblems(problems);
  }
  const reason = input.reason.trim();
  const record = replacement ? newRecord(tx, ref, replacement) : null;
  const voided = await voidFactRow(tx.db, key, input.version, {
    voidedAt: tx.now.toISOString(),
    voidReason: reason,
    replacedBy: record?.id ?? null,
  });
  if (!voided) throw staleVersion('该事实', before.version);
  tx.record({
    action: 'fact.corrected',
    entityType: 'economic_fact',
    entityId: entityId(voided),
    district: voided.districtCode,
    before,
    after: voided,
    reason,
  });
  if (record) {
    await insertFact(tx.db, record);
    tx.record({
      action: 'fact.added',
      entityType: 'economic_fact',
      entityId: entityId(record),
      district: record.districtCode,
      after: record,
      reason,
    });
  }
  await refreshProjection(tx, ref, today);
  return { voided, replacement: record };
}

export interface FactView extends FactRecord {
  kindName: string;
  sourceKindName: string;
  valueText: string;
  /** Whether the fact counts on the as-of date (the winner of its kind, a held category, counted spending). */
  counts: boolean;
  /** Valid on the as-of date (whether or not it wins). */
  validOnDate: boolean;
}

export interface SubjectFacts {
  subjectType: SubjectType;
  districtCode: string;
  subjectId: string;
  asOf: string;
  /** The figures the engine uses for a month starting on `asOf` (spending: the twelve months before asOf's month). */
  figures: PersonFigures | HouseholdFigures;
  /** Every fact, voided ones included (the history), by kind then start date. */
  facts: FactView[];
}

/** 经济状况 of a person or household as of a date, with the whole history of its facts. */
export async function listFacts(
  db: Db,
  scope: DataScope,
  subject: SubjectRef,
  asOf: string,
): Promise<SubjectFacts> {
  const problems: Problem[] = [];
  if (!isValidIsoDate(asOf)) {
    problems.push({ field: 'asOf', message: `日期「${asOf}」无效，应为 YYYY-MM-DD` });
  }
  throwIfProblems(problems);
  await findSubject(db, scope, subject);
  const facts = await factsOfSubject(db, subject.districtCode, subject.subjectId);
  const counting = countingFactIds(facts, asOf);
  const figures =
    subject.subjectType === 'person' ? resolvePerson(facts, asOf) : resolveHousehold(facts, asOf);
  return {
    ...subject,
    asOf,
    figures,
    facts: facts.map((f) => ({
      ...f,
      kindName: FACT_KINDS[f.kind].name,
      sourceKindName: SOURCE_KINDS[f.sourceKind],
      valueText: describeValue(f),
      counts: counting.has(f.id),
      validOnDate:
        f.voidedAt === null &&
        f.validFrom <= asOf &&
        (FACT_KINDS[f.kind].spending ? f.validFrom === asOf : f.validTo === null || f.validTo > asOf),
    })),
  };
}

// ---- for the registry's own services -------------------------------------------------------------

/**
 * A death date corrected to a later day: the facts the death ended on `from` end on `to` instead (in the
 * person's managing district, where recordDeath ended them). Each change is recorded as an end.
 */
export async function moveFactsEndedByDeath(
  tx: WorkTx,
  person: { districtCode: string; id: string },
  from: string,
  to: string,
): Promise<FactRecord[]> {
  await lockSubjectFacts(tx.db, person.districtCode, person.id);
  const moved: FactRecord[] = [];
  for (const before of await factsEndedOn(tx.db, person.districtCode, person.id, from)) {
    const after = await setFactEnd(tx.db, before, before.version, to);
    if (!after) throw new RegistryError('conflict', '经济状况信息已被他人修改，请刷新后重试');
    recordFact(tx, 'fact.ended', after, before);
    moved.push(after);
  }
  if (moved.length > 0) {
    await projectPersons(tx.db, person.districtCode, [person.id], projectionDay(shanghaiToday(tx.now)));
  }
  return moved;
}

/** The audit change of one fact (the unit records it; `before` when the fact existed). */
function recordFact(tx: WorkTx, action: AuditAction, after: FactRecord, before?: FactRecord): void {
  tx.record({
    action,
    entityType: 'economic_fact',
    entityId: entityId(after),
    district: after.districtCode,
    ...(before ? { before } : {}),
    after,
  });
}

/**
 * 死亡登记's part: every fact of the person still valid on `end` (or starting after it) ends on `end`, the
 * exclusive end the death service gives the memberships (the day after the death). Each change is recorded;
 * the projection follows. `districtCode` names the person's district; without it, every district that keeps
 * a row of the person (a person transferred between districts has facts in each).
 */
export async function endFactsOfPerson(
  tx: WorkTx,
  personId: string,
  end: string,
  districtCode?: string,
): Promise<FactRecord[]> {
  const districts = districtCode
    ? [districtCode]
    : [...new Set((await personRowsById(tx.db, personId)).map((p) => p.districtCode))];
  const ended: FactRecord[] = [];
  for (const district of districts) {
    await lockSubjectFacts(tx.db, district, personId);
    const changes = await endPersonFactsFrom(tx.db, district, personId, end);
    for (const { before, after } of changes) {
      recordFact(tx, 'fact.ended', after, before);
      ended.push(after);
    }
    if (changes.length > 0) {
      await projectPersons(tx.db, district, [personId], projectionDay(shanghaiToday(tx.now)));
    }
  }
  return ended;
}

/**
 * 跨区迁移's part: the person's facts that still hold on `date` or start later are carried to the receiving
 * district (same ids: the facts key by the person, and the sending district keeps its rows as history).
 * Facts already ended and voided ones stay behind; spending is the household's, not the person's.
 */
export async function moveFactsOfPerson(
  tx: WorkTx,
  personId: string,
  fromDistrict: string,
  toDistrict: string,
  date: string,
): Promise<FactRecord[]> {
  if (fromDistrict === toDistrict) return [];
  await lockSubjectFacts(tx.db, fromDistrict, personId);
  await lockSubjectFacts(tx.db, toDistrict, personId);
  const facts = await factsOfSubject(tx.db, fromDistrict, personId);
  const already = new Set((await factsOfSubject(tx.db, toDistrict, personId)).map((f) => f.id));
  const moved: FactRecord[] = [];
  for (const f of facts) {
    if (f.voidedAt !== null || (f.validTo !== null && f.validTo <= date) || already.has(f.id)) continue;
    const copy: FactRecord = { ...f, districtCode: toDistrict };
    await insertFact(tx.db, copy);
    tx.record({
      action: 'fact.added',
      entityType: 'economic_fact',
      entityId: entityId(copy),
      district: toDistrict,
      before: null,
      after: copy,
    });
    moved.push(copy);
  }
  if (moved.length > 0) {
    await projectPersons(tx.db, toDistrict, [personId], projectionDay(shanghaiToday(tx.now)));
  }
  return moved;
}

/** The economic values a registry form may carry for a new person or household (all optional). */
export type OpeningValues = Partial<PersonFigures & HouseholdFigures>;

/**
 * The economic values given with a new person or household (新建家庭户, 成员迁入 of a new person, 出生登记)
 * as declared facts from `validFrom` (the membership's start): one fact per value that differs from the
 * engine's default. The caller's unit records them; the projection follows.
 */
export async function recordOpeningFacts(
  tx: WorkTx,
  subject: SubjectRef,
  values: OpeningValues,
  validFrom: string,
  sourceRef = '登记时申报',
): Promise<FactRecord[]> {
  const inputs: NewFactInput[] = [];
  const base = { validFrom, sourceKind: 'declared', sourceRef };
  if (subject.subjectType === 'person') {
    if (values.wageFen) inputs.push({ ...base, kind: 'wage', amountFen: values.wageFen });
    if (values.pensionFen) inputs.push({ ...base, kind: 'pension', amountFen: values.pensionFen });
    if (values.otherIncomeFen)
      inputs.push({ ...base, kind: 'other_income', amountFen: values.otherIncomeFen });
    if (values.disabilityCategory != null && values.disabilityGrade != null) {
      inputs.push({
        ...base,
        kind: 'disability',
        disabilityCategory: values.disabilityCategory,
        disabilityGrade: values.disabilityGrade,
      });
    }
    if (values.employed) inputs.push({ ...base, kind: 'employment', flag: true });
    if (values.seriousIllness) inputs.push({ ...base, kind: 'serious_illness', flag: true });
    if (values.hasSupporter === false) inputs.push({ ...base, kind: 'supporter', flag: false });
    for (const category of values.categories ?? []) {
      inputs.push({ ...base, kind: 'category', category, sourceKind: 'decision' });
    }
  } else {
    if (values.monetaryAssetsFen) {
      inputs.push({ ...base, kind: 'monetary_assets', amountFen: values.monetaryAssetsFen });
    }
    if (values.vehicles) inputs.push({ ...base, kind: 'vehicles', quantity: values.vehicles });
    if (values.homes !== undefined && values.homes !== 1)
      inputs.push({ ...base, kind: 'homes', quantity: values.homes });
    if (values.perCapitaFloorAreaBelowAverage) {
      inputs.push({ ...base, kind: 'floor_area_below_average', flag: true });
    }
    // A yearly spending figure becomes one spending fact dated on the start (today at the latest), so that
    // the twelve months that follow count it.
    const dated = {
      ...base,
      validFrom: validFrom < shanghaiToday(tx.now) ? validFrom : shanghaiToday(tx.now),
    };
    if (values.medicalExpenseAnnualFen) {
      inputs.push({ ...dated, kind: 'medical_expense', amountFen: values.medicalExpenseAnnualFen });
    }
    if (values.educationExpenseAnnualFen) {
      inputs.push({ ...dated, kind: 'education_expense', amountFen: values.educationExpenseAnnualFen });
    }
  }
  const today = shanghaiToday(tx.now);
  const problems: Problem[] = [];
  const checked: CheckedFact[] = [];
  inputs.forEach((input, i) => {
    const result = checkNewFact(input, subject.subjectType, today, `facts[${i}].`);
    problems.push(...result.problems);
    if (result.fact) checked.push(result.fact);
  });
  throwIfProblems(problems);
  const written: FactRecord[] = [];
  for (const fact of checked) {
    const record = newRecord(tx, subject, fact);
    await insertFact(tx.db, record);
    recordFact(tx, 'fact.added', record);
    written.push(record);
  }
  if (written.length > 0) await refreshProjection(tx, subject, today);
  return written;
}

// ---- verified facts in bulk (a verification's reports) -------------------------------------------

/** One verified figure to record as a fact (source 核对, the report number as reference). */
export interface VerifiedFactInput {
  subjectType: SubjectType;
  districtCode: string;
  subjectId: string;
  kind: 'wage' | 'pension' | 'other_income' | 'employment' | 'monetary_assets' | 'homes' | 'vehicles';
  amountFen?: number | undefined;
  quantity?: number | undefined;
  flag?: boolean | undefined;
  validFrom: string;
  sourceRef: string;
}

export interface VerifiedFactsResult {
  /** The facts written (fed to the digest as each statement's count and server-computed SHA-256). */
  written: number;
  /** Earlier verified facts of the same subject and kind ended by the new ones (rule 4). */
  ended: number;
  /** Inputs the verified fact in force on their date already held (not written again: that fact stands). */
  unchanged: number;
  /** Inputs not written: a later verified fact of the same subject and kind exists, or a later input of
   * the same subject and kind in this call replaced it. Their index in the input. */
  skipped: number[];
}

/** Rows per statement: one statement's arrays stay a few megabytes. */
const VERIFIED_CHUNK = 20_000;

/**
 * 核对结果记为事实, set-based: what `addFact` does for one fact (rule 4 of the facts contract: a new verified
 * fact of the same kind and subject ends the previous one on its start; one that would start before it is
 * not written), for many facts in a few statements, and the projection columns of every subject touched
 * refreshed in one statement per district and subject type. The caller (a verification's batch, in its unit
 * of work) has read the subjects in its scope; a figure the verified fact in force already holds is not
 * written again (a re-verification that finds nothing new writes nothing); every row written is fed to `digest` for the caller's one
 * batch record. Problems of the inputs (kind, value, date) are all reported at once, nothing written.
 */
export async function recordVerifiedFacts(
  tx: WorkTx,
  inputs: readonly VerifiedFactInput[],
  digest: RowDigest,
): Promise<VerifiedFactsResult> {
  const today = shanghaiToday(tx.now);
  const problems: Problem[] = [];
  const checked: { index: number; row: VerifiedFactRow }[] = [];
  inputs.forEach((input, index) => {
    const { fact, problems: found } = checkNewFact(
      {
        kind: input.kind,
        amountFen: input.amountFen ?? null,
        quantity: input.quantity ?? null,
        flag: input.flag ?? null,
        validFrom: input.validFrom,
        sourceKind: 'verified',
        sourceRef: input.sourceRef,
      },
      input.subjectType,
      today,
      `facts[${index}].`,
    );
    problems.push(...found);
    if (!UUID.test(input.subjectId) || !/^\d{6}$/.test(input.districtCode)) {
      problems.push({ field: `facts[${index}].subjectId`, message: '主体编号无效' });
    }
    if (!fact) return;
    checked.push({
      index,
      row: {
        districtCode: input.districtCode,
        subjectType: input.subjectType,
        subjectId: input.subjectId,
        id: randomUUID(),
        kind: fact.kind,
        amountFen: fact.amountFen,
        quantity: fact.quantity,
        flag: fact.flag,
        validFrom: fact.validFrom,
        sourceRef: fact.sourceRef,
      },
    });
  });
  throwIfProblems(problems);
  // One new fact per subject and kind: the last given stands (rule 4 within the call).
  const last = new Map<string, number>();
  checked.forEach((c, i) => last.set(`${c.row.districtCode}/${c.row.subjectId}/${c.row.kind}`, i));
  const skipped: number[] = [];
  const rows: { index: number; row: VerifiedFactRow }[] = [];
  checked.forEach((c, i) => {
    if (last.get(`${c.row.districtCode}/${c.row.subjectId}/${c.row.kind}`) === i) rows.push(c);
    else skipped.push(c.index);
  });
  let ended = 0;
  let written = 0;
  let unchanged = 0;
  const changed = new Set<string>();
  const recordedAt = tx.now;
  for (let at = 0; at < rows.length; at += VERIFIED_CHUNK) {
    const chunk = rows.slice(at, at + VERIFIED_CHUNK);
    const out = await writeVerifiedFacts(
      tx.db,
      chunk.map((c) => c.row),
      recordedAt,
      tx.actor.userId,
    );
    const refused = new Set(out.skipped);
    for (const c of chunk) if (refused.has(c.row.id)) skipped.push(c.index);
    // Each statement's rows enter the batch digest as the server hashed them (facts.repository.ts
    // VERIFIED_FACT_LINE, ENDED_FACT_LINE): per-row canonical JSON cost more than the writing.
    digest.add({ table: 'economic_facts', inserted: out.inserted, sha256: out.insertedSha256 });
    if (out.ended > 0) digest.add({ table: 'economic_facts', ended: out.ended, sha256: out.endedSha256 });
    written += out.inserted;
    ended += out.ended;
    unchanged += out.unchanged;
    for (const id of out.changedSubjects) changed.add(id);
  }
  // The projection of the subjects whose facts changed only (a pass that finds nothing new touches none).
  const day = projectionDay(today);
  const subjects = new Map<string, { persons: Set<string>; households: Set<string> }>();
  for (const { row } of rows) {
    if (!changed.has(row.subjectId)) continue;
    let s = subjects.get(row.districtCode);
    if (!s) subjects.set(row.districtCode, (s = { persons: new Set(), households: new Set() }));
    (row.subjectType === 'person' ? s.persons : s.households).add(row.subjectId);
  }
  for (const [district, s] of subjects) {
    await projectPersons(tx.db, district, [...s.persons], day);
    await projectHouseholds(tx.db, district, [...s.households], day);
  }
  skipped.sort((a, b) => a - b);
  return { written, ended, unchanged, skipped };
}
