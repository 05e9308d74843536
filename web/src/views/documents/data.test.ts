import { describe, expect, it } from 'vitest';
import {
  columnPercents,
  fieldRows,
  infoSheetSource,
  manualCalculationSource,
  stashCalculation,
  stashedCalculation,
} from './data.ts';

class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

describe('document page helpers', () => {
  it('lays fields out as the PDF does: pairs per row, spans alone, a short row stretched', () => {
    const rows = fieldRows(2, [
      { label: 'a', value: '1' },
      { label: 'b', value: '2' },
      { label: 'c', value: '3' },
      { label: 'd', value: '4', span: true },
      { label: 'e', value: '5' },
    ]);
    expect(rows.map((row) => row.map((cell) => `${cell.label}${cell.span}`))).toEqual([
      ['a1', 'b1'],
      ['c3'],
      ['d3'],
      ['e3'],
    ]);
    // Every row covers the same number of columns: 2 pairs = 4 cells.
    for (const row of rows) expect(row.reduce((n, cell) => n + 1 + cell.span, 0)).toBe(4);
  });

  it('turns relative widths into percentages', () => {
    expect(columnPercents([1, undefined, 2])).toEqual(['25.00%', '25.00%', '50.00%']);
  });

  it('asks the server for the masked sheet unless a purpose is given', () => {
    expect(infoSheetSource('abc')).toEqual({
      method: 'GET',
      path: '/api/households/abc/documents/info-sheet',
      query: {},
    });
    expect(infoSheetSource('abc', '核对身份')).toMatchObject({
      query: { unmask: 'true', purpose: '核对身份' },
    });
  });

  it('hands a typed household to the document tab through storage, not the address', () => {
    const storage = new MemoryStorage();
    const body = {
      month: '2026-05',
      household: { members: [{ id: 'm1', name: '张三', birthDate: '1960-01-01' }] },
    };
    const key = stashCalculation(body, storage);
    expect(key).not.toContain('张三');
    expect(stashedCalculation(key, storage)).toEqual(body);
    expect(manualCalculationSource(body)).toMatchObject({
      method: 'POST',
      path: '/api/policy/calculate/document',
    });
    expect(stashedCalculation('unknown', storage)).toBeNull();
    storage.setItem('mz-calculation-document:bad', '{not json');
    expect(stashedCalculation('bad', storage)).toBeNull();
  });
});
