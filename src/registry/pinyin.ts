import { pinyin } from 'pinyin-pro';

/**
 * 姓名拼音首字母 (张三 → "zs"), stored in `persons.name_initials` and matched by prefix in search.
 *
 * - Han characters give the first letter of their reading; the name is read in pinyin-pro's surname
 *   mode, so polyphonic surnames take their surname reading (单 shàn, 解 xiè, 区 ōu, 仇 qiú, 尉迟 yùchí).
 * - A run of Latin letters or digits is one word and gives its first character (李A明 → "lam",
 *   "Mary张" → "mz"), so transliterated and mixed names still have one initial per word.
 * - Everything else (the middle dot of 阿依古丽·买买提, spaces, punctuation) is ignored.
 * The result is lowercase ASCII; a name with no usable character gives "".
 */
export function nameInitials(name: string): string {
  const syllables = pinyin(name.normalize('NFKC'), { type: 'all', mode: 'surname', toneType: 'none' });
  let out = '';
  let inWord = false;
  for (const s of syllables) {
    if (s.isZh && s.first) {
      out += s.first.toLowerCase();
      inWord = false;
    } else if (/^[A-Za-z0-9]$/.test(s.origin)) {
      if (!inWord) out += s.origin.toLowerCase();
      inWord = true;
    } else {
      inWord = false;
    }
  }
  return out;
}

/** Normalises a user's initials query the same way (case, spaces): "Z S" → "zs". */
export function normaliseInitialsQuery(query: string): string {
  return query
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}
