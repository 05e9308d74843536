import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { PolicyHouseholdInput } from '../household.ts';
import { checkHouseholdRequest, HouseholdValidationError } from '../household.validate.ts';
import { PopulationBuilder, type Population } from './population.ts';

/** One household from a population source; `district` (区划代码) when the source knows it. */
export interface SourceHousehold {
  readonly household: PolicyHouseholdInput;
  readonly district?: string;
}

/**
 * Where a batch comes from: the JSON-lines file here, the registry (registryPolicySource, a database
 * read, so asynchronous) or the synthetic generator (demoPolicySource, synchronous).
 */
export type PopulationSource = AsyncIterable<SourceHousehold> | Iterable<SourceHousehold>;

/** A bad line in a batch file: names the line and the field path. */
export class BatchLineError extends Error {
  constructor(
    readonly line: number,
    readonly path: string,
    detail: string,
  ) {
    super(`第 ${line} 行 ${path}：${detail}`);
    this.name = 'BatchLineError';
  }
}

/** Streams a file's lines (constant memory: one chunk at a time), calling `onLine` for each non-empty line. */
export async function forEachLine(
  file: string,
  onLine: (line: string, lineNo: number) => void,
): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNo = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const text = rest + decoder.write(chunk as Buffer);
    let start = 0;
    let nl = text.indexOf('\n', start);
    while (nl >= 0) {
      lineNo++;
      if (nl > start) onLine(text.slice(start, nl), lineNo);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest.trim().length > 0) onLine(rest, lineNo + 1);
}

function parseLine(line: string, lineNo: number, month: string): PolicyHouseholdInput {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (error) {
    throw new BatchLineError(
      lineNo,
      '(根)',
      `JSON 格式错误：${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    return checkHouseholdRequest(raw, month).household;
  } catch (error) {
    if (error instanceof HouseholdValidationError) throw new BatchLineError(lineNo, error.path, error.detail);
    throw error;
  }
}

/**
 * Reads a JSON-lines file (one `{"month","household"}` per line) straight into columns, validating
 * every line for `month` (which overrides each line's own month). Fails on the first bad line.
 */
export async function readJsonlPopulation(
  file: string,
  month: string,
  options: { keepMemberIds?: boolean } = {},
): Promise<Population> {
  const builder = new PopulationBuilder({
    keepMemberIds: options.keepMemberIds ?? false,
    households: 1 << 16,
  });
  await forEachLine(file, (line, lineNo) => builder.add(parseLine(line, lineNo, month)));
  return builder.build();
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
  for await (const item of source) builder.add(item.household, item.district);
  return builder.build();
}
