import { readFileSync } from 'node:fs';
import { divisionIndex } from './divisions.ts';

/**
 * Division codes as a person reads them. Shanghai's own divisions (district, street, committee) come
 * from divisions/shanghai.json; the province, city and county of a place outside Shanghai (a 户籍地
 * such as 340102) from divisions/china-areas.json (GB/T 2260, extracted by
 * scripts/extract-national-divisions.ts). A code neither file knows is shown with the code itself.
 */
const namesFile = new URL('./divisions/china-areas.json', import.meta.url);

let national: ReadonlyMap<string, string> | undefined;

function nationalNames(): ReadonlyMap<string, string> {
  national ??= new Map(
    Object.entries((JSON.parse(readFileSync(namesFile, 'utf8')) as { names: Record<string, string> }).names),
  );
  return national;
}

// Municipalities list their districts under a "市辖区" or "县" city that is no place name of its own.
const PLACEHOLDER_CITIES = new Set(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划']);

/** "安徽省合肥市瑶海区" for a county code outside Shanghai, or null when the code is unknown. */
export function nationalPlaceName(code: string): string | null {
  if (!/^\d{6}$/.test(code)) return null;
  const names = nationalNames();
  const county = names.get(code);
  if (county === undefined) return null;
  const province = names.get(code.slice(0, 2)) ?? '';
  const city = names.get(code.slice(0, 4)) ?? '';
  return `${province}${PLACEHOLDER_CITIES.has(city) ? '' : city}${county}`;
}

/**
 * The full name of a division: "上海市杨浦区控江路街道凤南一村居委会" for a Shanghai committee,
 * "安徽省合肥市瑶海区" for a county elsewhere, "外省市（340102）" when the code is unknown.
 */
export function placeName(code: string): string {
  if (code.startsWith('31')) {
    const path = divisionIndex().path(code);
    if (path) {
      const parts = [path.district, path.street, path.committee].flatMap((d) => (d ? [d.name] : []));
      return `上海市${parts.join('')}`;
    }
  }
  return nationalPlaceName(code) ?? (code.startsWith('31') ? `上海市（${code}）` : `外省市（${code}）`);
}
