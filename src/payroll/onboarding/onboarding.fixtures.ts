/**
 * Test fixtures of the going-live import: a registered household of the 控江路街道 committee (an adult, a
 * grandmother of 76, a child of 10) and recipients files written as .xlsx like a filled-in template.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { ALL, divisionScope } from '../../auth/scope.ts';
import type { Store } from '../../db/store.ts';
import { makeIdNumber } from '../../registry/id-number.ts';
import { createHousehold } from '../../registry/registry.service.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { RECIPIENT_COLUMNS, type RecipientColumnKey } from './columns.ts';
import type { RecipientImportOptions } from './onboarding.service.ts';

export const DISTRICT = '310110';

export const financeOptions = (extra: Partial<RecipientImportOptions> = {}): RecipientImportOptions => ({
  districtCode: DISTRICT,
  scope: divisionScope(DISTRICT),
  actor: { userId: 'u-finance', divisionCode: DISTRICT, reason: '系统上线：导入在保对象' },
  ...extra,
});

export interface SeededFamily {
  householdNo: string;
  householdId: string;
  adult: { id: string; idNumber: string };
  elder: { id: string; idNumber: string };
  child: { id: string; idNumber: string };
}

let serial = 0;

export async function seedFamily(store: Store, tag: string): Promise<SeededFamily> {
  const ids = ['1985-04-04', '1950-02-02', '2016-06-06'].map((birth, i) => {
    serial += 1;
    return makeIdNumber('310110', birth, 700 + serial * 2 + (i === 1 ? 0 : 1));
  });
  const actor = { userId: 'u-street', divisionCode: '310110012', reason: '测试：登记家庭户' };
  const created = await inUnitOfWork(store, actor, (tx) =>
    createHousehold(tx, ALL, {
      householdNo: `GL-${tag}`,
      committeeCode: '310110012001',
      validFrom: '2017-01-01',
      members: [
        {
          person: {
            idNumber: ids[0]!,
            name: `张${tag}`,
            sex: 1,
            birthDate: '1985-04-04',
            hukouDivisionCode: '310110012',
          },
          relationCode: '02',
        },
        {
          person: {
            idNumber: ids[1]!,
            name: `王${tag}`,
            sex: 2,
            birthDate: '1950-02-02',
            hukouDivisionCode: '310110012',
          },
          relationCode: '52',
        },
        {
          person: {
            idNumber: ids[2]!,
            name: `张小${tag}`,
            sex: 1,
            birthDate: '2016-06-06',
            hukouDivisionCode: '310110012',
          },
          relationCode: '20',
        },
      ],
    }),
  );
  const persons = created.changes.filter((c) => c.entityType === 'person').map((c) => c.entityId);
  return {
    householdNo: `GL-${tag}`,
    householdId: created.value.id,
    adult: { id: persons[0]!, idNumber: ids[0]! },
    elder: { id: persons[1]!, idNumber: ids[1]! },
    child: { id: persons[2]!, idNumber: ids[2]! },
  };
}

export type RecipientCells = Partial<Record<RecipientColumnKey, string>>;

/** A filled-in row: an account and a basis unless given. */
export const recipient = (cells: RecipientCells): RecipientCells => ({
  accountKind: '银行卡',
  bankName: '上海农商银行',
  accountNo: '6228480000000000018',
  basis: '杨民〔2025〕12号',
  ...cells,
});

/** Writes an .xlsx like the template (header, then the rows as text cells); returns its path. */
export async function recipientsFile(
  rows: readonly RecipientCells[],
  name = 'recipients.xlsx',
): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('在保对象');
  sheet.addRow(RECIPIENT_COLUMNS.map((c) => c.header));
  for (const row of rows) sheet.addRow(RECIPIENT_COLUMNS.map((c) => row[c.key] ?? null));
  const path = join(mkdtempSync(join(tmpdir(), 'mz-onboarding-')), name);
  await workbook.xlsx.writeFile(path);
  return path;
}
