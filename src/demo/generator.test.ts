import { describe, expect, it } from 'vitest';
import { parseIdNumber } from '../registry/id-number.ts';
import { nameInitials } from '../registry/pinyin.ts';
import { householdRow, memberRows, personRows } from './csv.ts';
import { ageOn } from './dates.ts';
import { shanghaiToday } from '../core/clock.ts';
import {
  generatePopulation,
  PopulationOptionsError,
  resolveOptions,
  type GeneratedHousehold,
} from './generator.ts';
import { shanghaiDistrict } from './places.ts';

function csvOf(options: Parameters<typeof generatePopulation>[0]): string {
  let out = '';
  for (const h of generatePopulation(options)) out += householdRow(h) + personRows(h) + memberRows(h);
  return out;
}

function collect(options: Parameters<typeof generatePopulation>[0]): GeneratedHousehold[] {
  return [...generatePopulation(options)];
}

describe('generatePopulation', () => {
  it('gives the same bytes for the same seed and different bytes for another seed', () => {
    const a = csvOf({ persons: 3000, seed: 'alpha' });
    expect(csvOf({ persons: 3000, seed: 'alpha' })).toBe(a);
    expect(csvOf({ persons: 3000, seed: 'beta' })).not.toBe(a);
    expect(csvOf({ persons: 3000, seed: 'alpha', asOf: '2024-06-30' })).not.toBe(a);
  });

  it('gives the same people on any as-of date, their birth dates counted back from it', () => {
    const [a, b] = ['2020-12-31', '2026-12-01'].map((asOf) => collect({ persons: 500, seed: 'dates', asOf }));
    const people = (hs: GeneratedHousehold[]) =>
      hs.flatMap((h) => h.members.map((m) => [h.householdNo, m.person.name, m.person.age, m.relationCode]));
    expect(people(b!)).toEqual(people(a!));
    const births = (hs: GeneratedHousehold[]) => hs.flatMap((h) => h.members.map((m) => m.person.birthDate));
    expect(births(b!)).not.toEqual(births(a!));
  });

  it('has young children on its as-of date, whenever that is (the 0–4 band of the dashboard)', () => {
    for (const asOf of ['2020-12-31', '2026-12-01']) {
      const under5 = collect({ persons: 3000, seed: 'young', asOf })
        .flatMap((h) => h.members)
        .filter((m) => ageOn(m.person.birthDate, asOf) < 5).length;
      expect(under5, asOf).toBeGreaterThan(3000 * 0.02);
    }
  });

  it('ages the population as of today in Shanghai unless told otherwise', () => {
    const options = resolveOptions({ persons: 1, seed: 's' });
    expect(options.asOf).toBe(shanghaiToday());
    expect(shanghaiToday(new Date('2026-11-30T16:00:00Z'))).toBe('2026-12-01');
    expect(shanghaiToday(new Date('2026-11-30T15:59:59Z'))).toBe('2026-11-30');
  });

  it('makes exactly the requested number of persons', () => {
    for (const persons of [1, 2, 7, 1234]) {
      const total = collect({ persons, seed: 's' }).reduce((n, h) => n + h.members.length, 0);
      expect(total).toBe(persons);
    }
  });

  const households = collect({ persons: 30_000, seed: 'checks', asOf: '2020-12-31' });
  const members = households.flatMap((h) => h.members);

  it('issues valid, unique 身份证号 matching birth date and sex', () => {
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const { person } of members) {
      const parsed = parseIdNumber(person.idNumber);
      if (!parsed.ok) problems.push(`${person.idNumber}: ${parsed.problem}`);
      else if (parsed.facts.birthDate !== person.birthDate || parsed.facts.sex !== person.sex) {
        problems.push(`${person.idNumber}: birth date or sex differs from the record`);
      }
      if (seen.has(person.idNumber)) problems.push(`${person.idNumber}: duplicate`);
      seen.add(person.idNumber);
    }
    expect(problems).toEqual([]);
    expect(seen.size).toBe(members.length);
    // Hukou persons born here carry the district's own address code most often.
    const local = members.filter((m) => m.person.idNumber.startsWith('310110')).length;
    expect(local / members.length).toBeGreaterThan(0.5);
  });

  it('gives unique deterministic uuids and 户编号', () => {
    const ids = new Set([...households.map((h) => h.id), ...members.map((m) => m.person.id)]);
    expect(ids.size).toBe(households.length + members.length);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(households.map((h) => h.householdNo)).size).toBe(households.length);
  });

  it('keeps ages, relations and memberships consistent', () => {
    const problems: string[] = [];
    const check = (ok: boolean, what: string, h: GeneratedHousehold) => {
      if (!ok) problems.push(`${h.householdNo}: ${what}`);
    };
    for (const h of households) {
      check(h.members.length >= 1 && h.members.length <= 6, 'size 1–6', h);
      check(h.members.filter((m) => m.relationCode === '02').length === 1, 'exactly one head', h);
      check(h.members[0]?.relationCode === '02', 'head first', h);
      const head = h.members[0]!.person;
      check(head.age >= 18, 'adult head', h);
      h.members.forEach((m, i) => {
        const p = m.person;
        const code = m.relationCode;
        check(m.seq === i, 'seq', h);
        check(ageOn(p.birthDate, '2020-12-31') === p.age, `age of ${p.birthDate}`, h);
        check(m.validFrom >= p.birthDate && m.validFrom <= '2020-12-31', `valid_from ${m.validFrom}`, h);
        check(p.nameInitials === nameInitials(p.name), `initials of ${p.name}`, h);
        if (code === '11' || code === '12') check(p.sex !== head.sex && p.age >= 18, `spouse ${code}`, h);
        if (['20', '30'].includes(code)) check(head.age - p.age >= 15, `child ${code} age`, h);
        if (['41', '42', '43', '44'].includes(code))
          check(head.age - p.age >= 30, `grandchild ${code} age`, h);
        if (['51', '52'].includes(code)) check(p.age - head.age >= 15, `parent ${code} age`, h);
        if (['11', '20', '28', '41', '43', '51'].includes(code)) check(p.sex === 1, `${code} is male`, h);
        if (['12', '30', '38', '42', '44', '52'].includes(code)) check(p.sex === 2, `${code} is female`, h);
        check(p.residenceDivisionCode === h.committeeCode, 'residence = committee', h);
        check(
          p.shanghaiHukou ? p.hukouDivisionCode === h.committeeCode : /^\d{6}$/.test(p.hukouDivisionCode),
          `hukou ${p.hukouDivisionCode}`,
          h,
        );
        check(p.phone === null || /^1[3-9]\d{9}$/.test(p.phone), `phone ${String(p.phone)}`, h);
      });
    }
    expect(problems.slice(0, 20)).toEqual([]);
  });

  it('spreads households over every street of the district', () => {
    const district = shanghaiDistrict('310110')!;
    const committees = new Set(district.committees.map((c) => c.code));
    const misplaced = households.filter(
      (h) => !committees.has(h.committeeCode) || !h.committeeCode.startsWith(h.streetCode),
    );
    expect(misplaced).toEqual([]);
    const streets = new Set(households.map((h) => h.streetCode));
    expect(streets.size).toBe(new Set(district.committees.map((c) => c.streetCode)).size);
  });

  it('works for another district', () => {
    const hs = collect({ district: '310115', persons: 500, seed: 'p' });
    expect(hs.every((h) => h.districtCode === '310115' && h.committeeCode.startsWith('310115'))).toBe(true);
  });

  it('rejects bad options with a Chinese message', () => {
    const run = (o: Parameters<typeof generatePopulation>[0]) => () => generatePopulation(o).next();
    expect(run({ district: '999999', persons: 5, seed: 's' })).toThrow(/未知的上海市区划代码/);
    expect(run({ district: '310110001', persons: 5, seed: 's' })).toThrow(PopulationOptionsError);
    expect(run({ persons: 0, seed: 's' })).toThrow(/人数必须是正整数/);
    expect(run({ persons: 1.5, seed: 's' })).toThrow(/人数必须是正整数/);
    expect(run({ persons: 5, seed: '' })).toThrow(/随机种子/);
    expect(run({ persons: 5, seed: 's', asOf: '2021-02-29' })).toThrow(/基准日期无效/);
  });
});
