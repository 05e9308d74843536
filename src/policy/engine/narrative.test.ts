import { describe, expect, it } from 'vitest';
import { evaluateHousehold, validateHousehold } from '../index.ts';

/** The explanation names members as a person reads them: by name, else by position and age — never by id. */
const PERSON_ID = 'd323da91-0000-8000-8000-000000003502';

function narratives(members: unknown[], month = '2022-08'): string {
  const { household } = validateHousehold({ month, household: { members } });
  return evaluateHousehold(household, month, { explain: true })
    .results.map((r) => r.trace?.narrative ?? '')
    .join('\n');
}

describe('member names in the explanation', () => {
  it('uses the member name given for display', () => {
    const text = narratives([
      { id: PERSON_ID, name: '张建国', birthDate: '1950-03-01' },
      { id: 'm2', name: '李秀英', birthDate: '1952-07-01' },
    ]);
    expect(text).toContain('老年综合津贴：符合条件');
    expect(text).toMatch(/张建国 \d+\.\d{2}元/);
    expect(text).toContain('李秀英');
    expect(text).not.toContain(PERSON_ID);
    expect(text).not.toMatch(/\bm2\b/);
  });

  it('says 第N名成员 and the age in the month when a member has no name', () => {
    const text = narratives([
      { id: PERSON_ID, birthDate: '1950-03-01' },
      { id: 'm2', birthDate: '2015-09-01' },
    ]);
    expect(text).toMatch(/第1名成员（72岁） \d+\.\d{2}元/);
    expect(text).toContain('第2名成员（6岁）：');
    expect(text).not.toContain(PERSON_ID);
    expect(text).not.toMatch(/\bm2\b/);
  });

  it('never lets the name change a result', () => {
    const month = '2022-08';
    const members = [{ id: 'a', birthDate: '1950-03-01', pensionFen: 100000 }];
    const plain = validateHousehold({ month, household: { members } }).household;
    const named = validateHousehold({
      month,
      household: { members: [{ ...members[0], name: '王' }] },
    }).household;
    const strip = (results: ReturnType<typeof evaluateHousehold>['results']) =>
      results.map(({ trace: _trace, ...rest }) => rest);
    expect(strip(evaluateHousehold(named, month).results)).toEqual(
      strip(evaluateHousehold(plain, month).results),
    );
  });
});

describe('the member name field', () => {
  const path = (name: unknown): string => {
    try {
      validateHousehold({
        month: '2022-08',
        household: { members: [{ id: 'a', birthDate: '1950-03-01', name }] },
      });
      return 'valid';
    } catch (error) {
      return (error as { path?: string }).path ?? String(error);
    }
  };

  it('is optional text, refused when it is not a short, clean string', () => {
    expect(path('张三')).toBe('valid');
    expect(path(null)).toBe('valid');
    for (const bad of [42, '', '   ', 'x'.repeat(51), '张\u0007三'])
      expect(path(bad), JSON.stringify(bad)).toBe('household.members[0].name');
  });
});
