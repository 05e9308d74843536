/**
 * GBK encoding for the fixed-width bank file. Node decodes GBK (TextDecoder, full ICU) but encodes only
 * UTF-8, so the encoder table is built once by decoding every GBK double-byte code (lead 0x81–0xFE, trail
 * 0x40–0xFE except 0x7F). A character GBK lacks is written `?` (and counted by the caller).
 */
let table: Map<string, number> | null = null;

function encoderTable(): Map<string, number> {
  if (table) return table;
  const decoder = new TextDecoder('gbk');
  const out = new Map<string, number>();
  const pair = new Uint8Array(2);
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      pair[0] = lead;
      pair[1] = trail;
      const ch = decoder.decode(pair);
      if (ch.length === 1 && ch !== '\ufffd' && !out.has(ch)) out.set(ch, (lead << 8) | trail);
    }
  }
  table = out;
  return out;
}

/** The GBK bytes of one character, or null when GBK cannot write it. */
export function gbkBytesOf(ch: string): number[] | null {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x80) return [code];
  const two = encoderTable().get(ch);
  return two === undefined ? null : [two >> 8, two & 0xff];
}

export function encodeGbk(text: string): Buffer {
  const bytes: number[] = [];
  for (const ch of text) bytes.push(...(gbkBytesOf(ch) ?? [0x3f]));
  return Buffer.from(bytes);
}

export function decodeGbk(bytes: Uint8Array): string {
  return new TextDecoder('gbk').decode(bytes);
}
