/**
 * 近亲属关系: the relations a staff member declares, as GB/T 4761-2008 codes (shared/standards/
 * code-tables.md) read from the staff member's side — 51 父亲 means "this relative is my father". The
 * issue's close relatives are the spouse, parents, children, siblings and the spouses of children and
 * siblings; each code belongs to one of those kinds.
 */
export type RelativeKind =
  'self' | 'spouse' | 'parent' | 'child' | 'sibling' | 'child_spouse' | 'sibling_spouse';

export const RELATIVE_KIND_NAMES: Readonly<Record<RelativeKind, string>> = {
  self: '本人',
  spouse: '配偶',
  parent: '父母',
  child: '子女',
  sibling: '兄弟姐妹',
  child_spouse: '子女的配偶',
  sibling_spouse: '兄弟姐妹的配偶',
};

/** The code table of declarable relations: code → Chinese name (as in GB/T 4761) and kind. */
export const RELATION_KINDS: Readonly<Record<string, { name: string; kind: RelativeKind }>> = {
  '10': { name: '配偶', kind: 'spouse' },
  '51': { name: '父亲', kind: 'parent' },
  '52': { name: '母亲', kind: 'parent' },
  '57': { name: '继父或养父', kind: 'parent' },
  '58': { name: '继母或养母', kind: 'parent' },
  '20': { name: '子', kind: 'child' },
  '30': { name: '女', kind: 'child' },
  '27': { name: '养子或继子', kind: 'child' },
  '37': { name: '养女或继女', kind: 'child' },
  '28': { name: '女婿', kind: 'child_spouse' },
  '38': { name: '儿媳', kind: 'child_spouse' },
  '71': { name: '兄', kind: 'sibling' },
  '73': { name: '弟', kind: 'sibling' },
  '75': { name: '姐姐', kind: 'sibling' },
  '77': { name: '妹妹', kind: 'sibling' },
  '72': { name: '嫂', kind: 'sibling_spouse' },
  '74': { name: '弟媳', kind: 'sibling_spouse' },
  '76': { name: '姐夫', kind: 'sibling_spouse' },
  '78': { name: '妹夫', kind: 'sibling_spouse' },
};

export const RELATION_CODE_LIST = Object.keys(RELATION_KINDS) as [string, ...string[]];

export function isDeclarableRelation(code: string): boolean {
  return Object.hasOwn(RELATION_KINDS, code);
}

export function declaredRelationName(code: string): string {
  return RELATION_KINDS[code]?.name ?? `未知代码${code}`;
}

/**
 * How a household member stands to the head (GB/T 4761 groups): enough to tell a close relation between
 * two members of one household. Codes outside these groups (grandchildren, grandparents, 其他亲属, 非亲属)
 * say nothing close about a pair.
 */
type HeadClass =
  'head' | 'spouse' | 'child' | 'child_spouse' | 'parent' | 'parent_in_law' | 'sibling' | 'sibling_spouse';

function headClass(code: string): HeadClass | undefined {
  if (code === '01' || code === '02') return 'head';
  if (code === '10' || code === '11' || code === '12') return 'spouse';
  if (code === '28' || code === '38') return 'child_spouse';
  if (/^[23][0-9]$/.test(code)) return 'child';
  if (['53', '54', '55', '56'].includes(code)) return 'parent_in_law';
  if (/^5[0-9]$/.test(code)) return 'parent';
  if (['72', '74', '76', '78'].includes(code)) return 'sibling_spouse';
  if (/^7[0-9]$/.test(code)) return 'sibling';
  return undefined;
}

/** (staff's class, member's class) → what the member is to the staff member. Pairs not listed are unclear. */
const PAIRS: Readonly<Record<string, RelativeKind>> = {
  'head/spouse': 'spouse',
  'head/child': 'child',
  'head/child_spouse': 'child_spouse',
  'head/parent': 'parent',
  'head/sibling': 'sibling',
  'head/sibling_spouse': 'sibling_spouse',
  'spouse/head': 'spouse',
  'child/head': 'parent',
  'parent/head': 'child',
  'sibling/head': 'sibling',
  'child/child': 'sibling',
  'spouse/child': 'child',
  'child/spouse': 'parent',
  'parent/parent': 'spouse',
  'parent/sibling': 'child',
  'sibling/parent': 'parent',
  'sibling/sibling': 'sibling',
  'spouse/parent_in_law': 'parent',
  'parent_in_law/spouse': 'child',
  'parent_in_law/parent_in_law': 'spouse',
};

/**
 * What a member is to a staff member, both in one household at the same time, from their relations to the
 * head; undefined when the codes do not show a close relation (a grandchild, a lodger, or a pair the codes
 * leave open, such as a son and a daughter-in-law who may be his brother's wife).
 */
export function relationBetween(staffCode: string, memberCode: string): RelativeKind | undefined {
  const staff = headClass(staffCode);
  const member = headClass(memberCode);
  if (staff === undefined || member === undefined) return undefined;
  return PAIRS[`${staff}/${member}`];
}
