import type { Population } from '../../src/policy/engine/population.ts';

/** The dibao parameters a hand-written loop needs, as plain numbers (read from the store by the caller). */
export interface DibaoNumbers {
  standard: number;
  standardMinor: number;
  minorMaxAge: number;
  exemption: number;
  limitBig: number;
  limitSmall: number;
  smallMax: number;
  maxVehicles: number;
  maxHomes: number;
  maxHomesSmall: number;
}

/**
 * The baseline of the benchmark: dibao as one hand-written typed-array loop, no framework, no reasons,
 * no intermediates kept. The engine's dibao kernel is measured against it.
 */
export function handDibao(
  pop: Population,
  lastDay: number,
  k: DibaoNumbers,
): { households: number; costFen: number } {
  const { memberStart: ms, wage, pension, other, shanghai, birth, assets, vehicles, homes, smallArea } = pop;
  let households = 0;
  let cost = 0;
  for (let h = 0; h < pop.householdCount; h++) {
    const start = ms[h] as number;
    const end = ms[h + 1] as number;
    const n = end - start;
    let inc = 0;
    let hk = 0;
    let stdSum = 0;
    for (let p = start; p < end; p++) {
      const w = wage[p] as number;
      inc += w + (pension[p] as number) + (other[p] as number) - (w < k.exemption ? w : k.exemption);
      hk |= shanghai[p] as number;
      stdSum +=
        Math.floor((lastDay - (birth[p] as number)) / 10000) <= k.minorMaxAge ? k.standardMinor : k.standard;
    }
    const limit = n <= k.smallMax ? k.limitSmall : k.limitBig;
    if (
      hk === 1 &&
      inc < k.standard * n &&
      (assets[h] as number) <= limit * n &&
      (vehicles[h] as number) <= k.maxVehicles &&
      (homes[h] as number) <= (smallArea[h] === 1 ? k.maxHomesSmall : k.maxHomes)
    ) {
      households++;
      cost += stdSum > inc ? stdSum - inc : 0;
    }
  }
  return { households, costFen: cost };
}
