import { describe, expect, it } from 'vitest';
import { maskName } from './mask-name.ts';

describe('maskName (公示名单)', () => {
  it('keeps the surname and hides the given name of a two-character name', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('李喆')).toBe('李*');
  });

  it('keeps the surname and the last character of a three- or four-character name', () => {
    expect(maskName('张建明')).toBe('张*明');
    expect(maskName('王秀兰芳')).toBe('王**芳');
  });

  it('keeps a compound surname whole', () => {
    expect(maskName('欧阳明')).toBe('欧阳*');
    expect(maskName('欧阳小明')).toBe('欧阳*明');
    expect(maskName('司马相如')).toBe('司马*如');
    expect(maskName('上官婉儿')).toBe('上官*儿');
  });

  it('does not take an ordinary surname followed by a common character for a compound one', () => {
    // 东 alone is a surname; 东方 only starts a compound surname, 东明 does not.
    expect(maskName('东明亮')).toBe('东*亮');
    expect(maskName('东方')).toBe('东*');
  });

  it('keeps the dots and the first and last characters of a transliterated name', () => {
    expect(maskName('阿依古丽·买买提')).toBe('阿***·**提');
  });

  it('counts characters outside the Basic Multilingual Plane as one and trims spaces', () => {
    expect(maskName(' 龑𬌗 ')).toBe('龑*');
    expect(maskName('张𬌗明')).toBe('张*明');
    expect(maskName('王')).toBe('*');
    expect(maskName('')).toBe('');
  });
});
