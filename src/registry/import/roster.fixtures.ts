/**
 * Synthetic rosters for the import/export tests and the benchmark: valid ID numbers (GB 11643),
 * real Yangpu committee codes, and writers for both file types.
 */
import { writeFile } from 'node:fs/promises';
import type { Store } from '../../db/store.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { makeIdNumber } from '../id-number.ts';
import { createRosterWriter, type RosterValues } from '../export/roster-writer.ts';
import { COLUMNS } from './columns.ts';
import {
  readImport,
  writeImport,
  type ImportFile,
  type ImportOptions,
  type ImportReport,
} from './import.service.ts';

export const YANGPU_COMMITTEE = '310110001001';
export const YANGPU_OTHER_STREET_COMMITTEE = '310110006002';
export const HUANGPU_COMMITTEE = '310101002001';

const SURNAMES = ['张', '王', '李', '赵', '陈', '刘', '杨', '黄', '周', '吴', '徐', '孙', '单', '曾'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟'];

function date(year: number, serial: number): string {
  const month = String((serial % 12) + 1).padStart(2, '0');
  const day = String((serial % 28) + 1).padStart(2, '0');
  return `${year}-${month}-${day}`;
}

/**
 * Household `n` (0-based): a head, a spouse and, for every other household, a child. ID numbers are
 * unique for n < 300,000 (birth date and sequence derived from n).
 */
export function sampleHousehold(
  n: number,
  committee = YANGPU_COMMITTEE,
  prefix = 'T',
  label = n,
): RosterValues[] {
  const householdNo = `${prefix}-${String(label).padStart(7, '0')}`;
  const year = 1940 + (n % 50);
  const seq = Math.floor(n / 50) % 300; // 0–299: three sequence blocks below keep the members apart
  const person = (role: number, relation: string, birth: string, sex: 1 | 2): RosterValues => {
    const sequence = seq * 3 + role; // 0–899
    const adjusted = sequence % 2 === (sex === 1 ? 1 : 0) ? sequence : sequence + 1;
    return {
      householdNo,
      relation,
      name: `${SURNAMES[(n + role) % SURNAMES.length]}${GIVEN[(n * 7 + role) % GIVEN.length]}`,
      idNumber: makeIdNumber('310110', birth, Math.min(adjusted, 999)),
      sex: sex === 1 ? '男' : '女',
      birthDate: birth,
      hukouDivision: committee,
      committee,
      address: `示例路${label}号`,
      phone: `139${String(n).padStart(8, '0')}`,
      employed: role === 0 ? '是' : '否',
      wage: role === 0 ? '4500.50' : '0',
      pension: role === 1 ? '1800' : '',
      otherIncome: '',
      monetaryAssets: role === 0 ? '20000.00' : '',
      vehicles: role === 0 ? 0 : '',
      homes: role === 0 ? 1 : '',
      floorAreaBelowAverage: role === 0 ? '否' : '',
      joinDate: '2020-01-01',
    };
  };
  const birthIndex = Math.floor(n / (50 * 300));
  const members = [
    person(0, '户主', date(year, n + birthIndex), 1),
    person(1, '配偶', date(year + 1, n + birthIndex), 2),
  ];
  if (n % 2 === 0) members.push(person(2, '子', date(year + 25, n + birthIndex), 1));
  return members;
}

/** `households` households numbered PREFIX-0000000…; `first` shifts the people (their ID numbers). */
export function sampleRoster(
  households: number,
  committee = YANGPU_COMMITTEE,
  prefix = 'T',
  first = 0,
): RosterValues[] {
  const rows: RosterValues[] = [];
  for (let i = 0; i < households; i++) rows.push(...sampleHousehold(first + i, committee, prefix, i));
  return rows;
}

export async function writeXlsx(path: string, rows: readonly RosterValues[]): Promise<void> {
  const writer = createRosterWriter(path);
  for (const row of rows) writer.addRow(row);
  await writer.commit();
}

function csvCell(value: string | number | undefined): string {
  const text = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function rosterCsv(rows: readonly RosterValues[], headers = COLUMNS.map((c) => c.header)): string {
  const lines = [headers.map(csvCell).join(',')];
  for (const row of rows) lines.push(COLUMNS.map((c) => csvCell(row[c.key])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export async function writeCsv(path: string, rows: readonly RosterValues[], bom = true): Promise<void> {
  await writeFile(path, `${bom ? '\uFEFF' : ''}${rosterCsv(rows)}`, 'utf8');
}

/**
 * A whole import as an edge runs it (the CLI, the dry-run route): the file read first, then one unit of
 * work for the import's actor. For tests and benchmarks.
 */
export async function importRoster(
  store: Store,
  file: ImportFile,
  options: ImportOptions,
): Promise<ImportReport> {
  const read = await readImport(file, options);
  try {
    return read.refused ?? (await inUnitOfWork(store, options.actor, (tx) => writeImport(tx, read)));
  } finally {
    await read.dispose();
  }
}
