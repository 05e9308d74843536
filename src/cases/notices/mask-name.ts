/**
 * Names on a public list (公示) show the surname and the last character only: 张三明 → 张*明, 张三 → 张*,
 * 欧阳明 → 欧阳*, 欧阳小明 → 欧阳*明. One * per hidden character. Compound surnames are recognised from
 * the list below (a 3-character name starting with one is surname + one character, never 欧*明).
 * Names written with a middle dot (少数民族 transliterations, 阿依古丽·买买提) keep their first and last
 * characters and the dots.
 */

const COMPOUND_SURNAMES = new Set(
  (
    '欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 司寇 夏侯 轩辕 令狐 钟离 闻人 澹台 ' +
    '公冶 太叔 申屠 濮阳 淳于 单于 呼延 端木 万俟 赫连 东郭 南宫 西门 百里 第五 羊舌 独孤 公羊 亓官 ' +
    '仲孙 子车 颛孙 巫马 公西 漆雕 乐正 壤驷 拓跋 夹谷 宰父 谷梁 段干 梁丘 左丘 东门 微生 公良 闾丘'
  ).split(' '),
);

const DOTS = /[·•・.]/u;

export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  if (chars.length === 1) return '*';
  if (chars.some((c) => DOTS.test(c))) {
    const last = chars.length - 1;
    return chars.map((c, i) => (i === 0 || i === last || DOTS.test(c) ? c : '*')).join('');
  }
  const surnameLength = chars.length >= 3 && COMPOUND_SURNAMES.has(chars[0]! + chars[1]!) ? 2 : 1;
  const surname = chars.slice(0, surnameLength).join('');
  const given = chars.slice(surnameLength);
  if (given.length === 1) return `${surname}*`;
  return surname + '*'.repeat(given.length - 1) + given.at(-1)!;
}
