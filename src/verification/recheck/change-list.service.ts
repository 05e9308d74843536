import type { DataScope } from '../../auth/scope.ts';
import type { Db } from '../../db/store.ts';
import { formatYuan } from '../../policy/engine/exact.ts';
import { isProgramCode, PROGRAMS } from '../../policy/index.ts';
import { streetAndCommitteeNames } from '../../registry/present.ts';
import { FIGURE_KINDS, isFigureKind } from '../report/report.types.ts';
import { isSourceCode, SOURCES } from '../sources/catalogue.ts';
import { changePage, type ChangeFilter, type ChangeListRow } from './recheck.repository.ts';

/**
 * 变更清单 as staff read it: names, not codes — the household number and committee, the member's name, the
 * kind and the agencies in Chinese, the program's name, money in 元 beside the fen. Scoped by the caller's
 * data scope (a street sees its committees' households). The CSV is the same rows for a spreadsheet.
 */

export interface ChangeView {
  requestId: string;
  householdId: string;
  householdNo: string | null;
  committeeName: string | null;
  personId: string | null;
  /** The member's name; 全户 for a household figure. */
  personName: string;
  kind: string;
  kindName: string;
  program: string;
  programName: string;
  oldValue: number | null;
  newValue: number | null;
  /** The values as read: 1,234.00 元, 2 套, 是/否. */
  oldText: string;
  newText: string;
  source: string;
  sourceNames: string;
  asOf: string;
  affectsEligibility: boolean;
  affectsAmount: boolean;
}

function valueText(kind: string, value: number | null): string {
  if (value === null) return '';
  const unit = isFigureKind(kind) ? FIGURE_KINDS[kind].unit : 'fen';
  if (unit === 'fen') return `${formatYuan(value)} 元`;
  if (unit === 'flag') return value !== 0 ? '是' : '否';
  return `${value}${kind === 'homes' ? ' 套' : kind === 'vehicles' ? ' 辆' : ''}`;
}

export function presentChange(row: ChangeListRow): ChangeView {
  return {
    requestId: row.requestId,
    householdId: row.householdId,
    householdNo: row.householdNo,
    committeeName: row.committeeCode ? streetAndCommitteeNames(row.committeeCode).committeeName : null,
    personId: row.personId,
    personName: row.personId === null ? '全户' : (row.personName ?? '（已不在本户）'),
    kind: row.kind,
    kindName: isFigureKind(row.kind) ? FIGURE_KINDS[row.kind].label : row.kind,
    program: row.program,
    programName: isProgramCode(row.program) ? PROGRAMS[row.program].name : row.program,
    oldValue: row.oldValue,
    newValue: row.newValue,
    oldText: valueText(row.kind, row.oldValue),
    newText: valueText(row.kind, row.newValue),
    source: row.source,
    sourceNames: row.source
      .split(',')
      .filter(Boolean)
      .map((s) => (isSourceCode(s) ? SOURCES[s].name : s))
      .join('、'),
    asOf: row.asOf,
    affectsEligibility: row.affectsEligibility,
    affectsAmount: row.affectsAmount,
  };
}

export async function listChanges(
  db: Db,
  scope: DataScope,
  filter: ChangeFilter,
): Promise<{ items: ChangeView[]; total: number }> {
  const { rows, total } = await changePage(db, scope, filter);
  return { items: rows.map(presentChange), total };
}

const CSV_HEADER = [
  '户编号',
  '居委会',
  '成员',
  '项目',
  '原值',
  '核对值',
  '数据来源',
  '核对日期',
  '影响资格',
  '影响金额',
  '救助项目',
  '核对委托',
];

function cell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The whole change list as CSV (UTF-8 with BOM, for spreadsheets), read a page at a time. */
export async function changesCsv(
  db: Db,
  scope: DataScope,
  filter: Omit<ChangeFilter, 'limit' | 'offset'>,
): Promise<string> {
  const lines = [CSV_HEADER.join(',')];
  const page = 5_000;
  for (let offset = 0; ; offset += page) {
    const { items } = await listChanges(db, scope, { ...filter, limit: page, offset });
    for (const c of items) {
      lines.push(
        [
          c.householdNo ?? '',
          c.committeeName ?? '',
          c.personName,
          c.kindName,
          c.oldText,
          c.newText,
          c.sourceNames,
          c.asOf,
          c.affectsEligibility ? '是' : '否',
          c.affectsAmount ? '是' : '否',
          c.programName,
          c.requestId,
        ]
          .map(cell)
          .join(','),
      );
    }
    if (items.length < page) break;
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
