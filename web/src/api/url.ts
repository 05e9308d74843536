/** Pure helpers of the request module (no Element Plus, no DOM): unit-tested in url.test.ts. */

export type Query = Record<string, string | number | boolean | null | undefined>;

/** Empty filters are left out, so that `?q=` never reaches the server as an empty search. */
export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** The file name of a Content-Disposition header: the UTF-8 `filename*` (Chinese names) before the ASCII one. */
export function downloadName(disposition: string, fallbackName: string): string {
  const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (utf8) {
    try {
      return decodeURIComponent(utf8);
    } catch {
      return fallbackName;
    }
  }
  return /filename="?([^";]+)"?/i.exec(disposition)?.[1] ?? fallbackName;
}
