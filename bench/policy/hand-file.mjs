// The baseline of issue 12 item 6: a hand-written, single-threaded parser plus dibao loop over the
// gen_households.py file, no framework, no validation. Plain JavaScript run by plain node (no tsx), so
// that its end-to-end wall time is the most favourable to it. Prints {households, costFen} as JSON.
//   node bench/policy/hand-file.mjs FILE LAST_DAY_YYYYMMDD '{"standard":…}'
import { Buffer } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';

const [file, lastDayArg, numbers] = process.argv.slice(2);
const lastDay = Number(lastDayArg);
const k = JSON.parse(numbers);

let hCap = 1 << 16;
let pCap = 1 << 18;
let h = 0;
let p = 0;
let memberStart = new Int32Array(hCap + 1);
let assets = new Float64Array(hCap);
let vehicles = new Float64Array(hCap);
let homes = new Float64Array(hCap);
let smallArea = new Uint8Array(hCap);
let income = new Float64Array(pCap);
let wage = new Float64Array(pCap);
let shanghai = new Uint8Array(pCap);
let birth = new Int32Array(pCap);

function grown(a, n) {
  const b = new a.constructor(n);
  b.set(a);
  return b;
}

function add(line) {
  const hh = JSON.parse(line).household;
  if (h === hCap) {
    hCap = Math.ceil(hCap * 1.5);
    memberStart = grown(memberStart, hCap + 1);
    assets = grown(assets, hCap);
    vehicles = grown(vehicles, hCap);
    homes = grown(homes, hCap);
    smallArea = grown(smallArea, hCap);
  }
  assets[h] = hh.monetaryAssetsFen ?? 0;
  vehicles[h] = hh.vehicles ?? 0;
  homes[h] = hh.homes ?? 1;
  smallArea[h] = hh.perCapitaFloorAreaBelowAverage === true ? 1 : 0;
  const members = hh.members;
  if (p + members.length > pCap) {
    pCap = Math.ceil(pCap * 1.5);
    income = grown(income, pCap);
    wage = grown(wage, pCap);
    shanghai = grown(shanghai, pCap);
    birth = grown(birth, pCap);
  }
  for (const m of members) {
    wage[p] = m.wageFen ?? 0;
    income[p] = (m.pensionFen ?? 0) + (m.otherIncomeFen ?? 0);
    shanghai[p] = m.hukou === 'other' ? 0 : 1;
    const d = m.birthDate;
    birth[p] = Number(d.slice(0, 4)) * 10000 + Number(d.slice(5, 7)) * 100 + Number(d.slice(8, 10));
    p++;
  }
  h++;
  memberStart[h] = p;
}

const fd = openSync(file, 'r');
const buf = Buffer.alloc(4 << 20);
let rest = '';
for (;;) {
  const n = readSync(fd, buf, 0, buf.length, null);
  if (n === 0) break;
  const text = rest + buf.toString('utf8', 0, n);
  let start = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
    if (nl > start) add(text.slice(start, nl));
    start = nl + 1;
  }
  rest = text.slice(start);
}
closeSync(fd);
if (rest.trim().length > 0) add(rest);

let households = 0;
let costFen = 0;
for (let i = 0; i < h; i++) {
  const s = memberStart[i];
  const e = memberStart[i + 1];
  const n = e - s;
  let inc = 0;
  let hk = 0;
  let stdSum = 0;
  for (let j = s; j < e; j++) {
    const w = wage[j];
    inc += w + income[j] - (w < k.exemption ? w : k.exemption);
    hk |= shanghai[j];
    stdSum += Math.floor((lastDay - birth[j]) / 10000) <= k.minorMaxAge ? k.standardMinor : k.standard;
  }
  const limit = n <= k.smallMax ? k.limitSmall : k.limitBig;
  if (
    hk === 1 &&
    inc < k.standard * n &&
    assets[i] <= limit * n &&
    vehicles[i] <= k.maxVehicles &&
    homes[i] <= (smallArea[i] === 1 ? k.maxHomesSmall : k.maxHomes)
  ) {
    households++;
    costFen += stdSum > inc ? stdSum - inc : 0;
  }
}
process.stdout.write(`${JSON.stringify({ households, costFen })}\n`);
