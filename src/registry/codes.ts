import type { Category, DisabilityKind } from '../policy/household.ts';

/**
 * National code tables used by the registry (shared/standards/code-tables.md; that file gives the
 * source and status of each table). Codes are stored as they appear in the standard.
 */

/** GB/T 2261.1-2003 人的性别代码. */
export const SEX_CODES = { 0: '未知的性别', 1: '男性', 2: '女性', 9: '未说明的性别' } as const;
export type SexCode = keyof typeof SEX_CODES;

export function sexName(code: number): string {
  return isSexCode(code) ? SEX_CODES[code] : `未知代码${code}`;
}

export function isSexCode(code: number): code is SexCode {
  return code === 0 || code === 1 || code === 2 || code === 9;
}

/** GB/T 2261.2-2003 婚姻状况代码. */
export const MARITAL_STATUS_CODES: Readonly<Record<string, string>> = {
  '10': '未婚',
  '20': '已婚',
  '21': '初婚',
  '22': '再婚',
  '23': '复婚',
  '30': '丧偶',
  '40': '离婚',
  '90': '未说明的婚姻状况',
};

/** GB/T 3304-1991 中国各民族名称的罗马字母拼写法和代码 (two-digit codes). */
export const ETHNICITY_CODES: Readonly<Record<string, string>> = {
  '01': '汉族',
  '02': '蒙古族',
  '03': '回族',
  '04': '藏族',
  '05': '维吾尔族',
  '06': '苗族',
  '07': '彝族',
  '08': '壮族',
  '09': '布依族',
  '10': '朝鲜族',
  '11': '满族',
  '12': '侗族',
  '13': '瑶族',
  '14': '白族',
  '15': '土家族',
  '16': '哈尼族',
  '17': '哈萨克族',
  '18': '傣族',
  '19': '黎族',
  '20': '傈僳族',
  '21': '佤族',
  '22': '畲族',
  '23': '高山族',
  '24': '拉祜族',
  '25': '水族',
  '26': '东乡族',
  '27': '纳西族',
  '28': '景颇族',
  '29': '柯尔克孜族',
  '30': '土族',
  '31': '达斡尔族',
  '32': '仫佬族',
  '33': '羌族',
  '34': '布朗族',
  '35': '撒拉族',
  '36': '毛南族',
  '37': '仡佬族',
  '38': '锡伯族',
  '39': '阿昌族',
  '40': '普米族',
  '41': '塔吉克族',
  '42': '怒族',
  '43': '乌孜别克族',
  '44': '俄罗斯族',
  '45': '鄂温克族',
  '46': '德昂族',
  '47': '保安族',
  '48': '裕固族',
  '49': '京族',
  '50': '塔塔尔族',
  '51': '独龙族',
  '52': '鄂伦春族',
  '53': '赫哲族',
  '54': '门巴族',
  '55': '珞巴族',
  '56': '基诺族',
  '97': '其他',
  '98': '外国血统中国籍人士',
};

/**
 * GB/T 4761-2008 家庭关系代码: how a member is related to the reference person, here the 户主. Codes
 * ending in 0 are group headers that may also be used as values.
 */
export const RELATION_CODES: Readonly<Record<string, string>> = {
  '01': '本人',
  '02': '户主',
  '10': '配偶',
  '11': '夫',
  '12': '妻',
  '20': '子',
  '21': '独生子',
  '22': '长子',
  '23': '次子',
  '24': '三子',
  '25': '四子',
  '26': '五子',
  '27': '养子或继子',
  '28': '女婿',
  '29': '其他儿子',
  '30': '女',
  '31': '独生女',
  '32': '长女',
  '33': '次女',
  '34': '三女',
  '35': '四女',
  '36': '五女',
  '37': '养女或继女',
  '38': '儿媳',
  '39': '其他女儿',
  '40': '孙子、孙女或外孙子、外孙女',
  '41': '孙子',
  '42': '孙女',
  '43': '外孙子',
  '44': '外孙女',
  '45': '孙媳妇或外孙媳妇',
  '46': '孙女婿或外孙女婿',
  '47': '曾孙子或外曾孙子',
  '48': '曾孙女或外曾孙女',
  '49': '其他孙子、孙女或外孙子、外孙女',
  '50': '父母',
  '51': '父亲',
  '52': '母亲',
  '53': '公公',
  '54': '婆婆',
  '55': '岳父',
  '56': '岳母',
  '57': '继父或养父',
  '58': '继母或养母',
  '59': '其他父母关系',
  '60': '祖父母或外祖父母',
  '61': '祖父',
  '62': '祖母',
  '63': '外祖父',
  '64': '外祖母',
  '65': '配偶的祖父母或外祖父母',
  '66': '曾祖父',
  '67': '曾祖母',
  '68': '配偶的曾祖父母或外曾祖父母',
  '69': '其他祖父母或外祖父母',
  '70': '兄弟姐妹',
  '71': '兄',
  '72': '嫂',
  '73': '弟',
  '74': '弟媳',
  '75': '姐姐',
  '76': '姐夫',
  '77': '妹妹',
  '78': '妹夫',
  '79': '其他兄弟姐妹',
  '80': '其他',
  '81': '伯父',
  '82': '伯母',
  '83': '叔父',
  '84': '婶母',
  '85': '舅父',
  '86': '舅母',
  '87': '姨夫',
  '88': '姨母',
  '89': '姑父',
  '90': '姑母',
  '91': '堂兄弟、堂姐妹',
  '92': '表兄弟、表姐妹',
  '93': '侄子',
  '94': '侄女',
  '95': '外甥',
  '96': '外甥女',
  '97': '其他亲属',
  '99': '非亲属',
};

/** The head of the household in GB/T 4761. */
export const HEAD_RELATION = '02';

export function relationName(code: string): string {
  return RELATION_CODES[code] ?? `未知代码${code}`;
}

export function isRelationCode(code: string): boolean {
  return Object.hasOwn(RELATION_CODES, code);
}

/** GB/T 26341-2010 残疾类别 (第二代残疾人证 1–7). */
export const DISABILITY_CATEGORIES = {
  1: '视力残疾',
  2: '听力残疾',
  3: '言语残疾',
  4: '肢体残疾',
  5: '智力残疾',
  6: '精神残疾',
  7: '多重残疾',
} as const;
export type DisabilityCategoryCode = keyof typeof DISABILITY_CATEGORIES;

/** GB/T 26341-2010 残疾等级: 一级 is the most severe. */
export const DISABILITY_GRADES = { 1: '一级', 2: '二级', 3: '三级', 4: '四级' } as const;
export type DisabilityGradeCode = keyof typeof DISABILITY_GRADES;

export function isDisabilityCategory(code: number): code is DisabilityCategoryCode {
  return Number.isInteger(code) && code >= 1 && code <= 7;
}

export function isDisabilityGrade(code: number): code is DisabilityGradeCode {
  return Number.isInteger(code) && code >= 1 && code <= 4;
}

/** GB/T 26341 category → the engine's disability kind (SPEC.md), in the standard's order. */
export const DISABILITY_KIND_BY_CATEGORY: Readonly<Record<DisabilityCategoryCode, DisabilityKind>> = {
  1: 'visual',
  2: 'hearing',
  3: 'speech',
  4: 'physical',
  5: 'intellectual',
  6: 'mental',
  7: 'multiple',
};

/** SPEC.md special categories (determinations made by a case decision) with their Chinese names. */
export const CATEGORY_NAMES: Readonly<Record<Category, string>> = {
  tekun: '特困供养人员',
  kunjing_child: '困境儿童',
  orphan: '散居孤儿',
  traditional: '传统民政对象',
  rural_youth: '户口在外地的农婚知青',
  anhui_resettled_1: '赴安徽农村务农居民（第一类）',
  anhui_resettled_2: '赴安徽农村务农居民（第二类）',
};

export const CATEGORY_LIST = Object.keys(CATEGORY_NAMES) as Category[];

export function isCategory(value: string): value is Category {
  return Object.hasOwn(CATEGORY_NAMES, value);
}

/** Why a membership ended (household_members.end_reason). */
export const END_REASONS = {
  moved_out: '迁出',
  moved: '转户',
  death: '死亡',
  head_changed: '户主变更',
  relation_changed: '关系变更',
  correction: '更正',
  other: '其他',
} as const;
export type EndReason = keyof typeof END_REASONS;

export function isEndReason(value: string): value is EndReason {
  return Object.hasOwn(END_REASONS, value);
}
