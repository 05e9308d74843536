/**
 * Text as people type it, checked once at every edge (HTTP, imports, CLI) before anything stores,
 * hashes or compares it. PostgreSQL refuses NUL in text and jsonb, and turns a lone UTF-16 surrogate
 * into U+FFFD, so a value holding either would be hashed as one string and stored as another; control
 * characters have no business in names, addresses or reasons; and the same name typed on two keyboards
 * must compare equal, hence NFC.
 */

export type TextProblem = 'nul' | 'surrogate' | 'control';

export const TEXT_PROBLEM_MESSAGES: Record<TextProblem, string> = {
  nul: '包含空字符（NUL），请删除后重试',
  surrogate: '包含无效的 Unicode 字符（不成对的代理项），请删除后重试',
  control: '包含不允许的控制字符，请删除后重试',
};

/** C0 controls except tab, LF and CR; DEL; the C1 block. */
function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || (code >= 0x7f && code <= 0x9f);
}

function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) if (isControl(value.charCodeAt(i))) return true;
  return false;
}

/** What is wrong with a string as stored text, if anything. Tab, LF and CR are allowed here. */
export function textProblem(value: string): TextProblem | undefined {
  if (value.includes('\u0000')) return 'nul';
  if (!value.isWellFormed()) return 'surrogate';
  if (hasControl(value)) return 'control';
  return undefined;
}

/** The stored form of a string that has no problem: Unicode NFC. */
export function normaliseText(value: string): string {
  return value.normalize('NFC');
}

export interface TextIssue {
  /** Path of the offending string inside the checked value (object keys and array indexes). */
  path: (string | number)[];
  problem: TextProblem;
}

/**
 * Walks a parsed request part (JSON body, query, params): returns every string with a problem and a copy
 * with every other string in NFC. Object keys are checked too (a key is text the client chose).
 */
export function checkTextDeep(value: unknown): { value: unknown; issues: TextIssue[] } {
  const issues: TextIssue[] = [];
  const walk = (item: unknown, path: (string | number)[]): unknown => {
    if (typeof item === 'string') {
      const problem = textProblem(item);
      if (problem) {
        issues.push({ path, problem });
        return item;
      }
      return normaliseText(item);
    }
    if (Array.isArray(item)) return item.map((entry, index) => walk(entry, [...path, index]));
    if (item !== null && typeof item === 'object' && isPlainObject(item)) {
      const out: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(item)) {
        const problem = textProblem(key);
        if (problem) issues.push({ path: [...path, key], problem });
        out[problem ? key : normaliseText(key)] = walk(entry, [...path, key]);
      }
      return out;
    }
    return item;
  };
  const checked = walk(value, []);
  return { value: checked, issues };
}

// Query strings parse into objects whose prototype is neither Object.prototype nor null.
function isPlainObject(value: object): boolean {
  return Object.prototype.toString.call(value) === '[object Object]';
}

// Characters a reader does not see: white space, format characters (zero-width space and joiners,
// bidi marks), default-ignorable code points (variation selectors, Hangul fillers) and controls.
const INVISIBLE = /^[\p{White_Space}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cc}]*$/u;

/**
 * How many characters a reader sees: grapheme clusters that show something, so a reason of four
 * zero-width spaces counts 0, "核对身份" counts 4 and a family emoji joined by ZWJ counts 1.
 */
export function visibleLength(value: string): number {
  let count = 0;
  for (const { segment } of segmenter().segment(value)) if (!INVISIBLE.test(segment)) count += 1;
  return count;
}

let graphemes: Intl.Segmenter | undefined;
function segmenter(): Intl.Segmenter {
  graphemes ??= new Intl.Segmenter('zh', { granularity: 'grapheme' });
  return graphemes;
}

/**
 * A string made safe to show or store when it cannot be refused (the username of a failed login is
 * recorded whatever it holds): each offending character becomes a visible \uXXXX escape.
 */
export function escapeUnsafeText(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    const high = code >= 0xd800 && code <= 0xdbff;
    const next = value.charCodeAt(i + 1);
    if (high && next >= 0xdc00 && next <= 0xdfff) {
      out += value[i]! + value[i + 1]!;
      i += 1;
      continue;
    }
    const lone = code >= 0xd800 && code <= 0xdfff;
    out += lone || isControl(code) ? `\\u${code.toString(16).padStart(4, '0')}` : value[i]!;
  }
  return normaliseText(out);
}

/**
 * The bounds of the strings that begin with `prefix`, in code-point order (the "C" collation of a UTF-8
 * database): `[prefix, prefix with its last character's successor)`. A prefix test written as this range
 * lets a cached generic plan walk the index range for any value, where a `LIKE $1` parameter leaves the
 * planner nothing to bound the index with. Undefined when the last character has no successor.
 */
export function prefixRange(prefix: string): { from: string; to: string } | undefined {
  const chars = [...prefix];
  const last = chars.pop()?.codePointAt(0);
  if (last === undefined || last >= 0x10ffff) return undefined;
  // Skip the surrogate block, which no well-formed string holds.
  const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
  return { from: prefix, to: chars.join('') + String.fromCodePoint(next) };
}
