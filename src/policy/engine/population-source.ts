import { createReadStream, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { PolicyHouseholdInput } from '../household.ts';
import { readJsonlParallel, workerCount } from './jsonl-parallel.ts';
import { parseLine, readJsonlRange } from './jsonl-reader.ts';
import { PopulationBuilder, type Population } from './population.ts';

export { BatchLineError, forEachLine } from './jsonl-reader.ts';

/**
 * One household from a population source; `area` when the source knows it: the 区划代码 of the district,
 * street or 居委会 the totals are grouped by (the source picks the level).
 */
export interface SourceHousehold {
  readonly household: PolicyHouseholdInput;
  readonly area?: string;
}

/**
 * Where a batch comes from: the JSON-lines file here, the registry (registryPolicySource, a database
 * read, so asynchronous) or the synthetic generator (demoPolicySource, synchronous).
 */
export type PopulationSource = AsyncIterable<SourceHousehold> | Iterable<SourceHousehold>;

/**
 * Reads a JSON-lines file (one `{"month","household"}` per line) straight into columns, validating
 * every line for `month` (which overrides each line's own month). Fails on the first bad line. A large
 * file is read by worker threads, one range of lines each (jsonl-parallel.ts); `workers` overrides how
 * many (1: this thread only).
 */
export async function readJsonlPopulation(
  file: string,
  month: string,
  options: { keepMemberIds?: boolean; workers?: number } = {},
): Promise<Population> {
  const stat = statSync(file);
  if (!stat.isFile()) return (await readJsonlRange(file, month, undefined, options)).population;
  const workers = options.workers ?? workerCount(stat.size);
  if (workers > 1 && stat.size > 0) return readJsonlParallel(file, month, stat.size, workers, options);
  return (await readJsonlRange(file, month, { start: 0, end: stat.size }, options)).population;
}

/** The JSON-lines file as a PopulationSource (the generic path; readJsonlPopulation is the fast one). */
export async function* jsonlSource(file: string, month: string): PopulationSource {
  const pending: SourceHousehold[] = [];
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNo = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const lines = (rest + decoder.write(chunk as Buffer)).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      lineNo++;
      if (line.length > 0) pending.push({ household: parseLine(line, lineNo, month) });
    }
    yield* pending.splice(0);
  }
  rest += decoder.end();
  if (rest.trim().length > 0) yield { household: parseLine(rest, lineNo + 1, month) };
}

/** Builds the columns from any source. */
export async function buildPopulation(
  source: PopulationSource,
  options: { keepMemberIds?: boolean } = {},
): Promise<Population> {
  const builder = new PopulationBuilder({
    keepMemberIds: options.keepMemberIds ?? false,
    households: 1 << 12,
  });
  for await (const item of source) builder.add(item.household, item.area);
  return builder.build();
}
