import { maskIdNumber } from '../registry/id-number.ts';
import { maskIdentifiersInText, maskPhone } from '../registry/present.ts';

/**
 * Audit snapshots hold the full record (the log must show what changed); whoever reads the log through
 * the API sees ID numbers and phones masked like everywhere else.
 */
export function redactSnapshot(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSnapshot);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'idNumber' && typeof item === 'string') out[key] = maskIdNumber(item);
    else if (key === 'phone' && typeof item === 'string') out[key] = maskPhone(item);
    else out[key] = redactSnapshot(item);
  }
  return out;
}

// Record ids are UUIDs, whose all-digit groups would read as phone numbers: they are kept whole.
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Free text with every ID-number-like and phone-like run masked, UUIDs left alone. */
export function maskText(value: string): string {
  let out = '';
  let from = 0;
  for (const match of value.matchAll(UUID)) {
    out += maskIdentifiersInText(value.slice(from, match.index)) + match[0];
    from = match.index + match[0].length;
  }
  return out + maskIdentifiersInText(value.slice(from));
}

/**
 * A value with every string masked as free text (and the idNumber/phone fields as the registry masks
 * them): what a reader without the unmask permission sees of a row, and how typed queries are stored.
 */
export function maskIdentifiersDeep(value: unknown): unknown {
  const redacted = redactSnapshot(value);
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return maskText(item);
    if (Array.isArray(item)) return item.map(walk);
    if (item === null || typeof item !== 'object') return item;
    return Object.fromEntries(Object.entries(item as Record<string, unknown>).map(([k, v]) => [k, walk(v)]));
  };
  return walk(redacted);
}
