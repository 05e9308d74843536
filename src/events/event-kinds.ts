/** 生命事件的种类 (docs/events.md): the values of `life_events.kind`, with their Chinese names. */
export const EVENT_KINDS = [
  'birth',
  'death',
  'age_60',
  'age_65',
  'age_70',
  'age_80',
  'age_90',
  'age_100',
  'disability_change',
  'hukou_move',
  'household_change',
  'medical_expense',
  'job_loss',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

export const EVENT_KIND_NAMES: Readonly<Record<EventKind, string>> = {
  birth: '出生',
  death: '死亡',
  age_60: '年满60周岁',
  age_65: '年满65周岁',
  age_70: '年满70周岁',
  age_80: '年满80周岁',
  age_90: '年满90周岁',
  age_100: '年满100周岁',
  disability_change: '残疾情况变化',
  hukou_move: '户籍迁移',
  household_change: '家庭成员变化',
  medical_expense: '大额医疗支出',
  job_loss: '失业',
};

export function isEventKind(value: string): value is EventKind {
  return (EVENT_KINDS as readonly string[]).includes(value);
}

/** The age of a milestone-birthday kind (`age_65` → 65), or null for any other kind. */
export function ageOfKind(kind: EventKind): number | null {
  return kind.startsWith('age_') ? Number(kind.slice(4)) : null;
}

/** The milestone kind of an age, if the table has one. */
export function kindOfAge(age: number): EventKind | null {
  const kind = `age_${age}`;
  return isEventKind(kind) ? kind : null;
}

export type EventState = 'received' | 'processed' | 'rejected' | 'ignored';

export const EVENT_STATE_NAMES: Readonly<Record<EventState, string>> = {
  received: '待处理',
  processed: '已处理',
  rejected: '已拒收',
  ignored: '已忽略',
};

export type EventSource = 'registry' | 'import';
