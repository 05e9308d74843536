/**
 * CSV as COPY … WITH (FORMAT csv) reads it: the one encoding every bulk write uses. An empty field is NULL;
 * an empty string is written quoted; quotes are doubled.
 */

export type CsvValue = string | number | boolean | null | undefined;

/** Text a bulk write sends in one piece at most (COPY streams the pieces). */
const CHUNK_CHARS = 1 << 20;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return text === '' || /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The rows as CSV lines, in chunks of about a mebibyte. */
export function csvChunks<T>(rows: Iterable<T>, values: (row: T) => readonly CsvValue[]): string[] {
  const chunks: string[] = [];
  let chunk = '';
  for (const row of rows) {
    chunk += `${values(row).map(csvField).join(',')}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      chunks.push(chunk);
      chunk = '';
    }
  }
  if (chunk !== '') chunks.push(chunk);
  return chunks;
}
