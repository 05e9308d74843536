/**
 * The adviser module's code tables: what a visit, a plan, an action and a referral can be, and the needs
 * assessment's checklist. The checklist follows the city's 困难群众救助需求综合评估 dimensions (seed 004:
 * 围绕群众困难情况、致贫原因，综合评估救助需求): each dimension is scored on one four-step scale and
 * the adviser ticks the signs they saw, so that two advisers describe a household the same way.
 */

export const VISIT_MODES = { home: '上门', phone: '电话', interview: '约谈' } as const;
export type VisitMode = keyof typeof VISIT_MODES;

/** 陪伴式 (regular company), 长效式 (lasting help towards independence), 全程式 (a case followed end to end). */
export const PLAN_KINDS = { companion: '陪伴式', long_term: '长效式', whole_course: '全程式' } as const;
export type PlanKind = keyof typeof PLAN_KINDS;

export const ACTION_STATUSES = { open: '待办', done: '已完成', dropped: '已取消' } as const;
export type ActionStatus = keyof typeof ACTION_STATUSES;

export const REFERRAL_KINDS = { program: '救助项目', service: '服务', agency: '部门或机构' } as const;
export type ReferralKind = keyof typeof REFERRAL_KINDS;

/** 0 无困难 … 3 重度: how hard the household finds this part of life now. */
export const NEED_LEVELS = ['无困难', '轻度困难', '中度困难', '重度困难'] as const;
export type NeedLevel = 0 | 1 | 2 | 3;
/** From this level up a dimension is a need the support plan should answer. */
export const NEED_LEVEL_PRIORITY: NeedLevel = 2;

export interface Dimension {
  readonly name: string;
  /** The signs an adviser looks for, code → Chinese. */
  readonly signs: Readonly<Record<string, string>>;
}

export const DIMENSIONS = {
  income: {
    name: '收入与支出',
    signs: {
      below_standard: '家庭收入难以维持基本生活',
      debt: '有欠债或拖欠房租、水电燃气费',
      expense_shock: '近期有大额刚性支出（医疗、教育、丧葬等）',
    },
  },
  health: {
    name: '健康与医疗',
    signs: {
      chronic: '有成员患重病或慢性病',
      disability: '有残疾成员',
      untreated: '有病未及时就医或服药',
    },
  },
  care: {
    name: '照料',
    signs: {
      self_care: '有成员生活不能自理',
      no_carer: '缺少照料人或照料人负担过重',
      alone_elder: '有独居或空巢老人',
    },
  },
  housing: {
    name: '居住',
    signs: {
      unsafe: '住房存在安全隐患',
      crowded: '居住拥挤或条件很差',
      eviction: '面临失去住所',
    },
  },
  education: {
    name: '教育',
    signs: {
      school_cost: '子女教育费用有困难',
      dropout_risk: '有辍学或失学风险',
      study_help: '需要课业辅导或学业支持',
    },
  },
  employment: {
    name: '就业',
    signs: {
      unemployed: '有劳动能力的成员失业',
      unstable: '就业不稳定、收入低',
      skills: '需要技能培训或就业推荐',
    },
  },
  mental: {
    name: '心理与精神',
    signs: {
      distress: '有明显情绪困扰或心理压力',
      mental_illness: '有精神障碍成员',
      crisis: '有自伤或伤人风险',
    },
  },
  social: {
    name: '社会支持',
    signs: {
      isolated: '缺少亲友与社区往来',
      family_conflict: '家庭关系紧张或有家庭暴力',
      unaware: '不了解可申请的救助政策',
    },
  },
} as const satisfies Record<string, Dimension>;

export type DimensionCode = keyof typeof DIMENSIONS;
export const DIMENSION_CODES = Object.keys(DIMENSIONS) as DimensionCode[];

export function isDimension(code: string): code is DimensionCode {
  return Object.hasOwn(DIMENSIONS, code);
}

export function signName(dimension: DimensionCode, sign: string): string | undefined {
  const signs: Readonly<Record<string, string>> = DIMENSIONS[dimension].signs;
  return Object.hasOwn(signs, sign) ? signs[sign] : undefined;
}

/** Common services an adviser refers to (the console offers them; any other service may be typed). */
export const COMMON_SERVICES = [
  '桥计划综合服务',
  '心理咨询',
  '居家养老服务',
  '长期护理保险',
  '就业援助',
  '医疗帮困',
  '法律援助',
  '慈善超市',
  '助学帮扶',
] as const;

export function nameOf<T extends Record<string, string>>(table: T, code: string): string {
  return Object.hasOwn(table, code) ? (table[code] as string) : code;
}
