import { COLUMNS, type ColumnKey } from '../../../src/registry/import/columns.ts';
import { makeIdNumber } from '../../../src/registry/id-number.ts';
import { rosterCsv, sampleRoster } from '../../../src/registry/import/roster.fixtures.ts';

/**
 * A roster (台账) CSV with known mistakes, built from the import's own column list so that only the
 * intended cells are wrong: a 身份证号 with a wrong check digit, and a person living in a committee of
 * another street (outside a 控江路街道 caseworker's scope).
 */
export function badRosterCsv(ownCommittee: string, otherStreetCommittee: string): Buffer {
  const good = makeIdNumber('310110', '1958-03-15', 11);
  const last = good.at(-1) === '1' ? '2' : '1';
  const badChecksum = `${good.slice(0, 17)}${last}`;
  const rows: Partial<Record<ColumnKey, string>>[] = [
    {
      householdNo: 'E2E-BAD-01',
      relation: '户主',
      name: '测试甲',
      idNumber: badChecksum,
      sex: '男',
      birthDate: '1958-03-15',
      hukouDivision: ownCommittee,
      committee: ownCommittee,
      address: '控江路1号',
      joinDate: '2020-01-01',
    },
    {
      householdNo: 'E2E-BAD-02',
      relation: '户主',
      name: '测试乙',
      idNumber: makeIdNumber('310110', '1962-07-01', 22),
      sex: '女',
      birthDate: '1962-07-01',
      hukouDivision: otherStreetCommittee,
      committee: otherStreetCommittee,
      address: '殷行路1号',
      joinDate: '2020-01-01',
    },
  ];
  const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const lines = [
    COLUMNS.map((column) => quote(column.header)).join(','),
    ...rows.map((row) => COLUMNS.map((column) => quote(row[column.key] ?? '')).join(',')),
  ];
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

/** A valid roster of `households` households in one committee (the import tests' own sample rows). */
export function goodRosterCsv(committee: string, households: number, prefix: string): Buffer {
  return Buffer.from(rosterCsv(sampleRoster(households, committee, prefix)), 'utf8');
}
