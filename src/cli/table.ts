import stringWidth from 'string-width';

export type Align = 'left' | 'right';

/**
 * A plain-text table for the terminal: columns sized by display width (a Chinese character takes two
 * columns), numbers aligned right where asked, a dashed rule under the header.
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  // A last column that is empty in every row (a notes column without notes) is left out.
  const last = header.length - 1;
  if (last > 0 && rows.every((r) => (r[last] ?? '') === ''))
    return formatTable(
      header.slice(0, last),
      rows.map((r) => r.slice(0, last)),
      align,
    );
  const widths = header.map((h, i) => Math.max(stringWidth(h), ...rows.map((r) => stringWidth(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - stringWidth(c)));
        return align[i] === 'right' ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** 1234567 → "1,234,567" (whole numbers; money goes through formatYuan first). */
export function groupDigits(text: string): string {
  const [whole = '', fraction] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}
