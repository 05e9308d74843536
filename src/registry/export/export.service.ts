/**
 * 台账导出: households matching a query → .xlsx (or CSV) in the import's column layout, so an export can
 * be re-imported elsewhere. Written with a streaming writer, page by page: memory stays flat. No cell
 * can be run as a formula (roster-writer.ts).
 * 身份证号 and phone numbers are masked unless the caller may and asks to `unmask` (then re-import works).
 */
import type { Writable } from 'node:stream';
import type { DataScope } from '../../auth/scope.ts';
import { recordOnly } from '../../workflow/unit-of-work.ts';
import { maskIdentifiersDeep } from '../../audit/redact.ts';
import type { Store } from '../../db/store.ts';
import { maskIdNumber } from '../id-number.ts';
import { maskPhone } from '../present.ts';
import {
  CATEGORY_NAMES,
  DISABILITY_CATEGORY_NAMES,
  DISABILITY_GRADE_NAMES,
  HEAD_RELATION,
  RELATION_NAMES,
} from '../import/code-names.ts';
import { formatFen } from '../import/fields.ts';
import type { ImportActor } from '../import/report.ts';
import {
  exportPage,
  type ExportCursor,
  type ExportRow,
  type HouseholdExportQuery,
} from './export.repository.ts';
import { createRosterWriter, type RosterFormat, type RosterValues } from './roster-writer.ts';
import { isCategory } from '../codes.ts';

export type { HouseholdExportQuery } from './export.repository.ts';

export interface ExportOptions {
  scope: DataScope;
  /** Full 身份证号 and phone numbers; the caller checks the permission. */
  unmask: boolean;
  /** When given, the export is recorded in the audit log (always when `unmask`). */
  actor?: ImportActor;
  onProgress?: (households: number) => void;
  /** Households per query (keyset page). */
  pageSize?: number;
  /** .xlsx (default) or CSV, both in the import's layout. */
  format?: RosterFormat;
}

export interface ExportResult {
  households: number;
  persons: number;
  masked: boolean;
}

const DEFAULT_PAGE = 500;

export async function exportHouseholds(
  store: Store,
  query: HouseholdExportQuery,
  options: ExportOptions,
  output: Writable,
): Promise<ExportResult> {
  if (options.unmask && !options.actor) {
    throw new Error('导出完整身份证号须提供操作人（写入审计日志）');
  }
  const writer = createRosterWriter(output, { format: options.format ?? 'xlsx' });
  const result: ExportResult = { households: 0, persons: 0, masked: !options.unmask };
  const pageSize = options.pageSize ?? DEFAULT_PAGE;
  let cursor: ExportCursor | undefined;
  for (;;) {
    const rows = await exportPage(store.db, options.scope, query, cursor, pageSize);
    if (rows.length === 0) break;
    let previous: string | undefined;
    for (const row of rows) {
      const key = `${row.districtCode}/${row.householdNo}`;
      const first = key !== previous;
      if (first) result.households++;
      previous = key;
      if (row.idNumber === null) continue; // a household with no current member has no row to show
      writer.addRow(toRosterValues(row, first, options.unmask));
      result.persons++;
    }
    const last = rows[rows.length - 1]!;
    cursor = { districtCode: last.districtCode, householdNo: last.householdNo };
    options.onProgress?.(result.households);
    await writer.drain();
  }
  await writer.commit();
  if (options.actor) {
    const actor = options.actor;
    await recordOnly(
      store,
      { userId: actor.userId, divisionCode: actor.divisionCode, requestId: actor.requestId },
      actor.reason,
      {
        action: 'registry.export',
        entityType: 'household_roster',
        district: options.scope.kind === 'division' ? options.scope.code : null,
        // The filter as typed may hold an ID number or phone: the log keeps it masked.
        after: { query: maskIdentifiersDeep(query), scope: options.scope, ...result },
      },
    );
  }
  return result;
}

/**
 * One member row. Household columns go on the household's first row (the head's) only: a column of
 * 家庭货币财产 repeated on every member's row would be summed wrongly by anyone totalling it.
 */
function toRosterValues(row: ExportRow, firstOfHousehold: boolean, unmask: boolean): RosterValues {
  const idNumber = row.idNumber ?? '';
  const categories = (row.categories ?? []).filter(isCategory).map((c) => CATEGORY_NAMES[c]);
  const values: RosterValues = {
    householdNo: row.householdNo,
    relation: row.relationCode === null ? '' : (RELATION_NAMES[row.relationCode] ?? row.relationCode),
    name: row.name ?? '',
    idNumber: unmask ? idNumber : maskIdNumber(idNumber),
    sex: row.sex === 1 ? '男' : row.sex === 2 ? '女' : '',
    birthDate: row.birthDate ?? '',
    hukouDivision: row.hukouDivisionCode ?? '',
    committee: row.committeeCode,
    address: row.address,
    phone: row.phone === null ? '' : unmask ? row.phone : maskPhone(row.phone),
    disabilityCategory:
      row.disabilityCategory === null ? '' : (DISABILITY_CATEGORY_NAMES[row.disabilityCategory] ?? ''),
    disabilityGrade: row.disabilityGrade === null ? '' : (DISABILITY_GRADE_NAMES[row.disabilityGrade] ?? ''),
    employed: row.employed ? '是' : '否',
    categories: categories.join('、'),
    wage: formatFen(row.wageFen ?? 0),
    pension: formatFen(row.pensionFen ?? 0),
    otherIncome: formatFen(row.otherIncomeFen ?? 0),
    joinDate: row.validFrom ?? '',
  };
  if (firstOfHousehold || row.relationCode === HEAD_RELATION) {
    values.monetaryAssets = formatFen(row.monetaryAssetsFen);
    values.vehicles = row.vehicles;
    values.homes = row.homes;
    values.floorAreaBelowAverage = row.floorAreaBelowAverage ? '是' : '否';
  }
  return values;
}
