import { formatFen } from '../../utils/money.ts';

/** 政策参数调整 (src/parameter-changes): the API the parameters page calls, and how it shows changes. */

export type ChangeState = 'proposed' | 'approved' | 'rejected' | 'withdrawn';
export type ChangeAction = 'approve' | 'reject' | 'withdraw';

export interface ParameterChange {
  id: string;
  path: string;
  description: string;
  unit: string;
  unitName: string;
  keyedBy: 'date' | 'year';
  districtCode: string | null;
  districtName: string;
  value: number;
  effective: string;
  decidedOn: string | null;
  documentNo: string;
  source: string;
  status: string;
  note: string | null;
  state: ChangeState;
  stateName: string;
  version: number;
  proposedBy: string;
  proposedByName: string;
  proposedAt: string;
  reason: string;
  decidedBy: string | null;
  decidedByName: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  backdated: boolean;
  previousValue: number | null;
  allowedActions: { action: ChangeAction; label: string }[];
}

export interface OriginValue {
  from: string;
  value: number;
  status: string;
  source: string;
  origin: 'file' | 'change';
  originName: string;
  changeId?: string;
  documentNo?: string;
}

export interface ParameterWithOrigins {
  path: string;
  description: string;
  unit: string;
  unitName: string;
  keyedBy: 'date' | 'year';
  values: OriginValue[];
  districts: { code: string; name: string; values: OriginValue[] }[];
}

export interface ProposeBody {
  path: string;
  districtCode: string | null;
  value: number | string;
  effective: string;
  decidedOn?: string | undefined;
  documentNo: string;
  source: string;
  status: string;
  note?: string | undefined;
  reason: string;
}

export const originKey = (path: string, district: string | null, from: string): string =>
  `${path}|${district ?? ''}|${from}`;

/** Where a value comes from, keyed by parameter, scope (district code or '') and date. */
export function originIndex(parameters: readonly ParameterWithOrigins[]): Map<string, OriginValue> {
  const index = new Map<string, OriginValue>();
  for (const p of parameters) {
    for (const v of p.values) index.set(originKey(p.path, null, v.from), v);
    for (const d of p.districts) for (const v of d.values) index.set(originKey(p.path, d.code, v.from), v);
  }
  return index;
}

export const STATE_TAGS: Record<ChangeState, 'warning' | 'success' | 'danger' | 'info'> = {
  proposed: 'warning',
  approved: 'success',
  rejected: 'danger',
  withdrawn: 'info',
};

/**
 * A value typed in the dialog, in the unit people read (元 for money), as the integer the API takes (分).
 * Returns the text itself when it is not a number, so that the server's message explains the problem.
 */
export function toApiValue(unit: string, text: string): number | string {
  const t = text.trim().replace(/,/g, '');
  if (!/^\d+(\.\d+)?$/.test(t)) return t;
  if (unit === 'fen' || unit === 'fen_per_year') {
    if (!/^\d+(\.\d{1,2})?$/.test(t)) return t;
    const [whole = '0', cents = ''] = t.split('.');
    return Number(whole) * 100 + Number(cents.padEnd(2, '0'));
  }
  return Number(t);
}

/** The unit a value is typed in, in the dialog. */
export function inputUnit(unit: string, unitName: string): string {
  return unit === 'fen' ? '元' : unit === 'fen_per_year' ? '元/年' : unitName;
}

/** A change's value for a reader: 1,700.00 元 for money, else the number and its unit. */
export function changeValueText(change: Pick<ParameterChange, 'unit' | 'unitName'>, value: number): string {
  if (change.unit === 'fen') return `${formatFen(value)} 元`;
  if (change.unit === 'fen_per_year') return `${formatFen(value)} 元/年`;
  if (change.unit === 'bp') return `${value / 100}%`;
  return `${value} ${change.unitName}`;
}
