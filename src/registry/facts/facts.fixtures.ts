import { addDays, isoOfDay, parseIsoDay } from '../../calendar/days.ts';
import fc from 'fast-check';
import type { Category } from '../../policy/household.ts';
import { CATEGORY_LIST } from '../codes.ts';
import {
  FACT_KINDS,
  HOUSEHOLD_FACT_KINDS,
  PERSON_FACT_KINDS,
  sourcesFor,
  type FactKind,
  type FactRecord,
  type SubjectType,
} from './facts.types.ts';

/**
 * Facts for tests: a builder with defaults, and fast-check arbitraries that draw facts as the table can
 * hold them (typed values per kind, valid_to ≥ valid_from, spending without an end, categories from 认定)
 * over a short span of days, so that overlaps, ties and window edges are common.
 */

let counter = 0;

/** A fact with defaults for everything not given (a fresh id each time). */
export function fact(over: Partial<FactRecord> & { kind: FactKind }): FactRecord {
  counter += 1;
  const info = FACT_KINDS[over.kind];
  return {
    districtCode: '310110',
    id: `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`,
    subjectType: info.subject,
    subjectId: info.subject === 'person' ? PERSON_ID : HOUSEHOLD_ID,
    amountFen: info.shape === 'money' ? 100 : null,
    quantity: info.shape === 'count' ? 1 : null,
    flag: info.shape === 'flag' ? true : null,
    disabilityCategory: null,
    disabilityGrade: null,
    category: info.shape === 'category' ? 'tekun' : null,
    validFrom: '2022-01-01',
    validTo: null,
    sourceKind: over.kind === 'category' ? 'decision' : 'declared',
    sourceRef: '',
    recordedAt: '2022-01-01T00:00:00.000Z',
    recordedBy: null,
    voidedAt: null,
    voidReason: null,
    replacedBy: null,
    version: 1,
    ...over,
  };
}

export const PERSON_ID = '00000000-0000-4000-8000-0000000000aa';
export const HOUSEHOLD_ID = '00000000-0000-4000-8000-0000000000bb';

const DAY0 = parseIsoDay('2021-01-01');
export const isoDay = (n: number) => isoOfDay(DAY0 + n);

/** A day of the test span (2021-01-01 + 0…900), months' first days weighted up. */
export const dayArb = fc.oneof(
  fc.integer({ min: 0, max: 900 }).map(isoDay),
  fc
    .integer({ min: 0, max: 29 })
    .map((m) => `${2021 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01`),
);

const instantArb = fc
  .integer({ min: 0, max: 5 })
  .map((n) => new Date(Date.UTC(2022, 0, 1, 0, 0, 0, n * 250)).toISOString());

function valueArb(kind: FactKind) {
  const info = FACT_KINDS[kind];
  const none = {
    amountFen: null,
    quantity: null,
    flag: null,
    disabilityCategory: null,
    disabilityGrade: null,
    category: null as Category | null,
  };
  switch (info.shape) {
    case 'money':
      return fc.integer({ min: 0, max: 2_000_000 }).map((amountFen) => ({ ...none, amountFen }));
    case 'count':
      return fc.integer({ min: 0, max: 4 }).map((quantity) => ({ ...none, quantity }));
    case 'flag':
      return fc.boolean().map((flag) => ({ ...none, flag }));
    case 'disability':
      return fc.oneof(
        fc.constant(none),
        fc
          .record({ c: fc.integer({ min: 1, max: 7 }), g: fc.integer({ min: 1, max: 4 }) })
          .map(({ c, g }) => ({
            ...none,
            disabilityCategory: c,
            disabilityGrade: g,
          })),
      );
    case 'category':
      return fc.constantFrom(...CATEGORY_LIST.slice(0, 3)).map((category) => ({ ...none, category }));
  }
}

/** One fact of `subjectType` for `subjectId`, any kind of that subject, any accepted source. */
export function factArb(subjectType: SubjectType, subjectId: string, districtCode = '310110') {
  const kinds = subjectType === 'person' ? PERSON_FACT_KINDS : HOUSEHOLD_FACT_KINDS;
  return fc
    .constantFrom(...kinds)
    .chain((kind) =>
      fc.record({
        kind: fc.constant(kind),
        value: valueArb(kind),
        from: dayArb,
        length: fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }),
        sourceKind: fc.constantFrom(...sourcesFor(kind)),
        recordedAt: instantArb,
        voided: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
        id: fc.uuid({ version: 4 }),
      }),
    )
    .map(({ kind, value, from, length, sourceKind, recordedAt, voided, id }): FactRecord => {
      const spending = FACT_KINDS[kind].spending;
      const validTo = spending || length === null ? null : addDays(from, length);
      return {
        districtCode,
        id,
        subjectType,
        subjectId,
        kind,
        ...value,
        validFrom: from,
        validTo,
        sourceKind,
        sourceRef: '',
        recordedAt,
        recordedBy: null,
        voidedAt: voided ? '2022-06-01T00:00:00.000Z' : null,
        voidReason: voided ? '测试' : null,
        replacedBy: null,
        version: 1,
      };
    });
}
