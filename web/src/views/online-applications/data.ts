import type { Column } from '../../utils/columns.ts';
import { shanghaiDateTime } from '../../utils/clock.ts';
import type { OnlineApplication, OnlineState } from './api.ts';

/**
 * 网上申请（待匹配）: the list's columns, the state filter and the 办结 outcomes. The outcomes copy the
 * server's list (src/cases/public/outcomes.ts); data.test.ts checks that the copies agree.
 */

export const ONLINE_STATE_OPTIONS: { value: OnlineState; label: string }[] = [
  { value: 'unmatched', label: '待匹配' },
  { value: 'matched', label: '已匹配建案' },
  { value: 'closed', label: '已办结' },
  { value: 'drafted', label: '已建草稿（自动匹配）' },
];

export const OUTCOME_OPTIONS: { value: string; label: string }[] = [
  { value: 'not_eligible', label: '已电话答复不符合条件' },
  { value: 'other_district', label: '非本区户籍，已告知向户籍地申请' },
  { value: 'duplicate', label: '重复申请' },
  { value: 'unreachable', label: '联系不上' },
  { value: 'applicant_declined', label: '申请人表示不再申请' },
  { value: 'other', label: '其他（见说明）' },
];

export const onlineColumns: Column<OnlineApplication>[] = [
  { prop: 'receivedAt', label: '收到时间', width: 160, formatter: (r) => shanghaiDateTime(r.receivedAt) },
  { prop: 'receiptNo', label: '受理回执编号', width: 150, slot: true },
  { prop: 'name', label: '申请人', width: 100 },
  { prop: 'idNumberMasked', label: '身份证号', width: 180 },
  { prop: 'phoneMasked', label: '联系电话', width: 130 },
  { prop: 'streetName', label: '街道（镇）', width: 120 },
  { prop: 'programs', label: '申请项目', minWidth: 200, formatter: (r) => r.programs.join('、') },
  { prop: 'state', label: '状态', minWidth: 160, slot: true },
];

export function stateTag(state: OnlineState): 'warning' | 'success' | 'info' | 'primary' {
  if (state === 'unmatched') return 'warning';
  if (state === 'matched' || state === 'drafted') return 'success';
  return 'info';
}
