/**
 * Name → code lookups over the registry's national code tables (src/registry/codes.ts), for rosters
 * that write names instead of codes, plus the short names staff use for the special categories.
 */
import type { Category } from '../../policy/household.ts';
import {
  CATEGORY_NAMES,
  DISABILITY_CATEGORIES,
  DISABILITY_GRADES,
  HEAD_RELATION,
  RELATION_CODES,
} from '../codes.ts';

export { CATEGORY_NAMES, HEAD_RELATION };
export const RELATION_NAMES: Readonly<Record<string, string>> = RELATION_CODES;
export const DISABILITY_CATEGORY_NAMES: Readonly<Record<number, string>> = DISABILITY_CATEGORIES;
export const DISABILITY_GRADE_NAMES: Readonly<Record<number, string>> = DISABILITY_GRADES;

export const RELATION_BY_NAME = new Map(Object.entries(RELATION_CODES).map(([code, name]) => [name, code]));

/** Official names, the same names without brackets, and common short forms. */
export const CATEGORY_BY_NAME = new Map<string, Category>([
  ...(Object.entries(CATEGORY_NAMES) as [Category, string][]).flatMap(
    ([code, name]): [string, Category][] => [
      [name, code],
      [name.replaceAll(/[（）()]/g, ''), code],
    ],
  ),
  ['特困', 'tekun'],
  ['特困人员', 'tekun'],
  ['孤儿', 'orphan'],
  ['农婚知青', 'rural_youth'],
]);
