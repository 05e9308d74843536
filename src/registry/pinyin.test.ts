import { describe, expect, it } from 'vitest';
import { nameInitials, normaliseInitialsQuery } from './pinyin.ts';

describe('name initials (拼音首字母)', () => {
  it('gives one lowercase letter per Han character', () => {
    expect(nameInitials('张三')).toBe('zs');
    expect(nameInitials('欧阳修')).toBe('oyx');
  });

  it('reads polyphonic surnames in their surname reading', () => {
    expect(nameInitials('单田芳')).toBe('stf'); // shàn, not dān
    expect(nameInitials('解缙')).toBe('xj'); // xiè, not jiě
    expect(nameInitials('曾国藩')).toBe('zgf'); // zēng, not céng
    expect(nameInitials('区志强')).toBe('ozq'); // ōu, not qū
    expect(nameInitials('仇英')).toBe('qy'); // qiú, not chóu
    expect(nameInitials('尉迟恭')).toBe('ycg'); // yù chí
  });

  it('keeps one initial per Latin word and ignores separators', () => {
    expect(nameInitials('阿依古丽·买买提')).toBe('ayglmmt');
    expect(nameInitials('李A明')).toBe('lam');
    expect(nameInitials('Mary张')).toBe('mz');
    expect(nameInitials('John Smith')).toBe('js');
    expect(nameInitials('·')).toBe('');
  });

  it('normalises a query the same way', () => {
    expect(normaliseInitialsQuery(' Z S ')).toBe('zs');
    expect(normaliseInitialsQuery('ＺＳ')).toBe('zs');
  });
});
