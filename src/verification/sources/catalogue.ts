/**
 * The agencies a verification centre asks, and what each answers. A source declares its kinds; an answer
 * row of a kind its source does not declare is malformed. All kinds are per person: agencies know
 * people by 身份证号, and the household's figures (货币财产, 房产, 车辆) are sums over its members.
 */
export const ANSWER_KINDS = {
  wage: { label: '工资性收入（月）', value: 'fen' },
  pension: { label: '养老金（月）', value: 'fen' },
  other_income: { label: '经营性及其他收入（月）', value: 'fen' },
  employment: { label: '在职参保', value: 'flag' },
  deposits: { label: '银行存款', value: 'fen' },
  securities: { label: '证券及理财', value: 'fen' },
  homes: { label: '房产（套）', value: 'quantity' },
  vehicles: { label: '机动车（辆）', value: 'quantity' },
  business: { label: '工商登记', value: 'flag' },
  hukou: { label: '户籍', value: 'text' },
  marital: { label: '婚姻状况', value: 'text' },
  death: { label: '死亡日期', value: 'text' },
} as const satisfies Record<string, { label: string; value: 'fen' | 'quantity' | 'flag' | 'text' }>;

export type AnswerKind = keyof typeof ANSWER_KINDS;

export const SOURCES = {
  tax: { name: '税务部门', kinds: ['wage', 'other_income'] },
  social_insurance: { name: '人力资源和社会保障部门', kinds: ['pension', 'employment'] },
  housing_fund: { name: '住房公积金管理中心', kinds: ['wage'] },
  real_estate: { name: '不动产登记机构', kinds: ['homes'] },
  vehicles: { name: '公安交通管理部门', kinds: ['vehicles'] },
  deposits: { name: '银行业金融机构', kinds: ['deposits'] },
  securities: { name: '证券登记结算机构', kinds: ['securities'] },
  business: { name: '市场监督管理部门', kinds: ['business'] },
  civil: { name: '公安户籍、婚姻登记与殡葬管理', kinds: ['hukou', 'marital', 'death'] },
  // 异地协查 (src/verification/exchange): another region's verification centre answers what its agencies hold
  // about our members there — money, homes, vehicles, business. Not asked by the gathering job: its query
  // is created by a package export and answered by the import of the signed answer package.
  remote: { name: '异地核对机构', kinds: ['deposits', 'securities', 'homes', 'vehicles', 'business'] },
} as const satisfies Record<string, { name: string; kinds: readonly AnswerKind[] }>;

export type SourceCode = keyof typeof SOURCES;
export const SOURCE_CODES = Object.keys(SOURCES) as SourceCode[];

/** The sources asked in our own region (every source but `remote`, which a package export asks). */
export type LocalSourceCode = Exclude<SourceCode, 'remote'>;
export const LOCAL_SOURCE_CODES = SOURCE_CODES.filter((s): s is LocalSourceCode => s !== 'remote');

export function isSourceCode(text: string): text is SourceCode {
  return Object.hasOwn(SOURCES, text);
}

export function isAnswerKind(text: string): text is AnswerKind {
  return Object.hasOwn(ANSWER_KINDS, text);
}

/** Whether `source` answers `kind` (an answer of any other kind is malformed). */
export function sourceAnswers(source: SourceCode, kind: string): kind is AnswerKind {
  return (SOURCES[source].kinds as readonly string[]).includes(kind);
}
