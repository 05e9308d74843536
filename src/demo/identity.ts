import { makeIdNumber } from '../registry/id-number.ts';
import { hashSeed } from './prng.ts';

/**
 * Identifiers of the synthetic population, unique by construction rather than by remembering what
 * was issued (memory stays flat however many persons a run makes).
 */

/**
 * Deterministic uuids: 60 bits of hash(seed, district), a kind nibble and the 48-bit index. Two runs
 * with the same seed and district give the same ids; within a run the index makes them distinct.
 * Version nibble 8 (RFC 9562 custom uuid), variant 10xx.
 */
export class UuidFactory {
  private readonly prefix: string;

  constructor(seed: string, district: string) {
    const words = hashSeed(`minzheng-demo|${seed}|${district}`);
    const hex = words.map((w) => w.toString(16).padStart(8, '0')).join('');
    this.prefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(12, 15)}-`;
    this.tail = hex.slice(15, 18);
  }

  private readonly tail: string;

  /**
   * kind 0 = household, 1 = person, 2 = a former member (deceased), 3 = an economic fact (the variant
   * nibble 8, 9, a or b).
   */
  make(kind: 0 | 1 | 2 | 3, index: number): string {
    if (!Number.isSafeInteger(index) || index < 0 || index >= 2 ** 48)
      throw new Error(`uuid index out of range: ${index}`);
    return `${this.prefix}${(8 + kind).toString(16)}${this.tail}-${index.toString(16).padStart(12, '0')}`;
  }
}

/**
 * Ids of records that belong one-to-one to a household (its authorisation, the attachment of its signed
 * paper): the household's id with the index's leading hex digit set to `tag`. Household indexes stay far
 * below 2^44, so that digit is 0 in every household id and the derived ids are distinct from all others.
 */
export function householdRecordId(householdId: string, tag: 1 | 2): string {
  return `${householdId.slice(0, 24)}${tag}${householdId.slice(25)}`;
}

const SEQUENCES_PER_SEX = 499;

/**
 * Hands out 身份证号 sequence numbers: for each (address code, birth date, sex) the next free one
 * (odd for men: 001, 003 …; even for women: 002, 004 …). Counters live in one fixed array per
 * address code covering the birth dates of the run, so memory does not grow with the population.
 * When a code's 499 numbers for that day and sex are used up (only in runs far larger than a real
 * district), the next code of the fallback list is used instead: the birth date never changes.
 */
export class IdNumberIssuer {
  private readonly counters = new Map<string, Uint16Array>();

  constructor(
    private readonly firstDay: number,
    private readonly dayCount: number,
    private readonly fallbackCodes: readonly string[],
  ) {}

  issue(addressCode: string, day: number, birthDate: string, sex: 1 | 2): string {
    const slot = (day - this.firstDay) * 2 + (sex - 1);
    if (slot < 0 || slot >= this.dayCount * 2)
      throw new Error(`birth date outside the run's range: ${birthDate}`);
    let code = addressCode;
    for (let attempt = 0; attempt <= this.fallbackCodes.length; attempt++) {
      let counter = this.counters.get(code);
      if (!counter) {
        counter = new Uint16Array(this.dayCount * 2);
        this.counters.set(code, counter);
      }
      const used = counter[slot]!;
      if (used < SEQUENCES_PER_SEX) {
        counter[slot] = used + 1;
        return makeIdNumber(code, birthDate, used * 2 + (sex === 1 ? 1 : 2));
      }
      code = this.fallbackCodes[attempt] ?? code;
    }
    throw new Error(`no free 身份证号 sequence for ${birthDate}`);
  }
}
