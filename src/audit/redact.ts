import { maskIdNumber } from '../registry/id-number.ts';
import { maskPhone } from '../registry/registry.service.ts';

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
