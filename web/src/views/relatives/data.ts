import type { Declaration, RelationKind, StaffLink } from '../../api/relatives.ts';
import type { Column } from '../../utils/columns.ts';

/** 近亲属备案 pages: table columns and the checks a form runs before it asks the server. */

export const declarationColumns: Column<Declaration>[] = [
  { prop: 'relationName', label: '关系', width: 110 },
  { prop: 'relativeName', label: '姓名', minWidth: 100 },
  { prop: 'idNumberMasked', label: '身份证号', width: 190 },
  { prop: 'inRegistry', label: '人口信息库', width: 110, slot: true },
  { prop: 'declaredOn', label: '备案日期', width: 120 },
  { prop: 'state', label: '状态', width: 140, slot: true },
  {
    prop: 'endedOn',
    label: '结束',
    minWidth: 160,
    formatter: (d) => (d.endedOn ? `${d.endedOn}（${d.endReason ?? ''}）` : '—'),
    ellipsis: true,
  },
];

export const staffColumns: Column<StaffLink>[] = [
  { prop: 'name', label: '姓名', minWidth: 100, slot: true },
  { prop: 'kindName', label: '类别', width: 110 },
  { prop: 'divisionName', label: '所属区划', minWidth: 220, ellipsis: true },
  { prop: 'committeeRole', label: '居委会职务', width: 110 },
  { prop: 'idNumberMasked', label: '身份证号', width: 190 },
  { prop: 'inRegistry', label: '人口信息库', width: 110, slot: true },
  { prop: 'activeDeclarations', label: '有效备案', width: 100, align: 'right' },
];

/** "父亲（父母）": the relation and the kind of close relative it belongs to. */
export function relationLabel(kind: RelationKind): string {
  return kind.name === kind.kindName ? kind.name : `${kind.name}（${kind.kindName}）`;
}

/** The form of an ID number (the server checks the check digit and the birth date). */
export function idNumberProblem(value: string, field = '身份证号'): string | undefined {
  const v = value.trim();
  if (!v) return `请填写${field}`;
  if (!/^\d{17}[\dXx]$/.test(v)) return `${field}应为 18 位（最后一位可为 X）`;
  return undefined;
}

export function reasonProblem(value: string, what: string): string | undefined {
  return value.trim().length >= 2 ? undefined : `请说明${what}（至少 2 个字）`;
}
