import { nameInitials } from '../registry/pinyin.ts';
import { WeightedTable, type Random } from './prng.ts';

/**
 * Names for the synthetic population: the hundred most common surnames with weights close to the
 * national ranking (percent of the population, rounded; an approximation, which is all a demo
 * needs) and common given-name characters by sex. Characters with several readings in names
 * (乐, 长, 重, 朝 …) are left out so that the initials are unambiguous.
 */
const SURNAMES: readonly (readonly [string, number])[] = [
  ['王', 7.1],
  ['李', 7.0],
  ['张', 6.6],
  ['刘', 5.4],
  ['陈', 4.6],
  ['杨', 3.1],
  ['黄', 2.4],
  ['赵', 2.3],
  ['吴', 2.0],
  ['周', 1.9],
  ['徐', 1.6],
  ['孙', 1.5],
  ['马', 1.4],
  ['朱', 1.3],
  ['胡', 1.3],
  ['郭', 1.2],
  ['何', 1.1],
  ['林', 1.1],
  ['高', 1.1],
  ['罗', 1.0],
  ['郑', 0.9],
  ['梁', 0.9],
  ['谢', 0.8],
  ['宋', 0.8],
  ['唐', 0.7],
  ['许', 0.7],
  ['韩', 0.7],
  ['冯', 0.7],
  ['邓', 0.7],
  ['曹', 0.6],
  ['彭', 0.6],
  ['曾', 0.6],
  ['肖', 0.6],
  ['田', 0.6],
  ['董', 0.5],
  ['袁', 0.5],
  ['潘', 0.5],
  ['于', 0.5],
  ['蒋', 0.5],
  ['蔡', 0.5],
  ['余', 0.5],
  ['杜', 0.5],
  ['叶', 0.5],
  ['程', 0.5],
  ['苏', 0.4],
  ['魏', 0.4],
  ['吕', 0.4],
  ['丁', 0.4],
  ['任', 0.4],
  ['沈', 0.4],
  ['姚', 0.4],
  ['卢', 0.4],
  ['姜', 0.4],
  ['崔', 0.4],
  ['钟', 0.4],
  ['谭', 0.3],
  ['陆', 0.3],
  ['汪', 0.3],
  ['范', 0.3],
  ['金', 0.3],
  ['石', 0.3],
  ['廖', 0.3],
  ['贾', 0.3],
  ['夏', 0.3],
  ['韦', 0.3],
  ['付', 0.3],
  ['方', 0.3],
  ['白', 0.3],
  ['邹', 0.3],
  ['孟', 0.3],
  ['熊', 0.3],
  ['秦', 0.3],
  ['邱', 0.3],
  ['江', 0.3],
  ['尹', 0.3],
  ['薛', 0.2],
  ['闫', 0.2],
  ['段', 0.2],
  ['雷', 0.2],
  ['侯', 0.2],
  ['龙', 0.2],
  ['史', 0.2],
  ['陶', 0.2],
  ['黎', 0.2],
  ['贺', 0.2],
  ['顾', 0.2],
  ['毛', 0.2],
  ['郝', 0.2],
  ['龚', 0.2],
  ['邵', 0.2],
  ['万', 0.2],
  ['钱', 0.2],
  ['严', 0.2],
  ['覃', 0.2],
  ['武', 0.2],
  ['戴', 0.2],
  ['莫', 0.2],
  ['孔', 0.2],
  ['向', 0.2],
  ['汤', 0.2],
];

const GIVEN_MALE = [
  ...'伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国峰亮成东文志永海晨博昊然轩泽睿子一天嘉诚思毅峻岩松德荣福兴',
];
const GIVEN_FEMALE = [
  ...'芳娜敏静丽艳娟霞燕玲桂英秀兰萍红琳洁婷雪慧颖倩佳怡欣梅莉晶月丹蕾雯彤诗涵琪悦萱妍然可馨一思雨琴玉凤霖瑶',
];

// Initials are computed once per surname and character with the registry's rule (surname mode);
// the list excludes characters whose reading changes in context, and a test checks every generated
// name against nameInitials(name).

export interface NamePart {
  readonly text: string;
  readonly initials: string;
}

const part = (text: string): NamePart => ({ text, initials: nameInitials(text) });

const surnameTable = new WeightedTable(
  SURNAMES.map(([s]) => part(s)),
  SURNAMES.map(([, w]) => w),
);
const givenMale = GIVEN_MALE.map((c) => part(c));
const givenFemale = GIVEN_FEMALE.map((c) => part(c));

export function drawSurname(random: Random): NamePart {
  return surnameTable.draw(random);
}

/** One or two characters (two in 70% of names), by sex (1 male, 2 female). */
export function drawGivenName(random: Random, sex: 1 | 2): NamePart {
  const chars = sex === 1 ? givenMale : givenFemale;
  const first = random.pick(chars);
  if (random.chance(0.3)) return first;
  const second = random.pick(chars);
  return { text: first.text + second.text, initials: first.initials + second.initials };
}

/** Every surname and given-name character (for tests that compare with the full-name pinyin). */
export const NAME_PARTS = {
  surnames: SURNAMES.map(([s]) => s),
  male: GIVEN_MALE,
  female: GIVEN_FEMALE,
} as const;
