import { describe, expect, it } from 'vitest';
import { checkTextDeep, escapeUnsafeText, normaliseText, textProblem, visibleLength } from './text.ts';

describe('textProblem', () => {
  it('refuses NUL, lone surrogates and control characters', () => {
    expect(textProblem('a\u0000b')).toBe('nul');
    expect(textProblem('核对\ud800身份')).toBe('surrogate');
    expect(textProblem('x\udfffy')).toBe('surrogate');
    expect(textProblem('地址\u001b[31m')).toBe('control');
    expect(textProblem('铃\u0007')).toBe('control');
    expect(textProblem('c1\u0085')).toBe('control');
    expect(textProblem('del\u007f')).toBe('control');
  });
  it('accepts ordinary text, tabs and line breaks, and surrogate pairs', () => {
    expect(textProblem('张三\t李四\r\n王五')).toBeUndefined();
    expect(textProblem('𠮷野家 😀')).toBeUndefined();
  });
});

describe('normaliseText', () => {
  it('composes to NFC', () => {
    expect(normaliseText('e\u0301')).toBe('\u00e9');
  });
});

describe('checkTextDeep', () => {
  it('reports every bad string with its path and normalises the rest', () => {
    const { value, issues } = checkTextDeep({
      a: 'e\u0301',
      b: ['ok', 'x\u0000'],
      c: { 'k\ud800': 1, d: 2 },
    });
    expect(issues).toEqual([
      { path: ['b', 1], problem: 'nul' },
      { path: ['c', 'k\ud800'], problem: 'surrogate' },
    ]);
    expect((value as { a: string }).a).toBe('\u00e9');
  });
  it('leaves non-strings alone', () => {
    expect(checkTextDeep({ n: 1, t: true, z: null })).toEqual({
      value: { n: 1, t: true, z: null },
      issues: [],
    });
  });
});

describe('visibleLength', () => {
  it('does not count invisible characters', () => {
    expect(visibleLength('\u200b\u200b\u200b\u200b')).toBe(0);
    expect(visibleLength(' \u3000\u2060\ufeff\u3164')).toBe(0);
    expect(visibleLength('核对身份')).toBe(4);
    expect(visibleLength('核\u200b对')).toBe(2);
  });
  it('counts a character with combining marks or an emoji sequence once', () => {
    expect(visibleLength('e\u0301')).toBe(1);
    expect(visibleLength('👨‍👩‍👧')).toBe(1);
  });
});

describe('escapeUnsafeText', () => {
  it('makes every offending character a visible escape and keeps the rest', () => {
    expect(escapeUnsafeText('a\u0000b')).toBe('a\\u0000b');
    expect(escapeUnsafeText('x\udfffy')).toBe('x\\udfffy');
    expect(escapeUnsafeText('𠮷\u001b')).toBe('𠮷\\u001b');
    expect(textProblem(escapeUnsafeText('\ud800\u0000\u0085'))).toBeUndefined();
  });
});
