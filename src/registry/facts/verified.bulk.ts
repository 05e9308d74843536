import { sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { shanghaiToday } from '../../core/clock.ts';
import { selectRows } from '../../db/sql.ts';
import type { Session } from '../../db/store.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { RegistryValidationError } from '../registry.errors.ts';
import type { Problem } from '../registry.validation.ts';
import { ENDED_FACT_LINE, VERIFIED_FACT_LINE } from './facts.repository.ts';
import { projectionDay, type VerifiedFactInput, type VerifiedFactsResult } from './facts.service.ts';
import { checkNewFact } from './facts.validation.ts';
import { csvField } from '../../db/csv.ts';

/**
 * 核对结果记为事实 for a whole batch of reports (the periodic re-verification): what `recordVerifiedFacts`
 * does, by COPY and one statement. The facts are COPYed into a temporary table (through the caller's session,
 * so a digesting session covers them), then one statement applies rule 4 (the latest verified fact of the
 * same subject and kind ends on the new one's start; a new fact starting before it is refused; a figure the
 * verified fact in force already holds is not written again), inserts the rest, and rewrites the projection
 * columns of the subjects whose facts it inserted.
 *
 * The projection without re-resolving: the columns show the facts resolved for the first day of next month
 * (docs/architecture.md "The undated columns"). A verified fact outranks every other source (rule 3), and the
 * one inserted here starts on the report's day (≤ today < that day) with no end, and no verified fact of its
 * key starts later (rule 4 would have refused it): it is the winner of its kind on that day. So the column of
 * its kind takes its value, and nothing else about the subject changes — one UPDATE … FROM the inserted rows
 * per table, inside the same statement, instead of resolving every fact of every subject again.
 */

/** The facts a re-verification records: person incomes and employment, household assets and counts. */
const PERSON_COLUMNS: Record<string, string> = {
  wage: 'wage_fen',
  pension: 'pension_fen',
  other_income: 'other_income_fen',
  employment: 'employed',
};

const TEMP = 'recheck_verified_facts';
const COLUMNS = [
  'district_code',
  'subject_id',
  'id',
  'subject_type',
  'kind',
  'amount_fen',
  'quantity',
  'flag',
  'valid_from',
  'source_ref',
] as const;

/**
 * Records many verified facts, one per subject and kind (a later input of the same key replaces an earlier
 * one), in the caller's unit. `session` writes the COPY (pass a digesting one to cover the facts in the
 * batch digest). Returns what `recordVerifiedFacts` returns, and the SHA-256 of the facts inserted and ended
 * as the server computed them (VERIFIED_FACT_LINE, ENDED_FACT_LINE) for the batch's summary.
 */
export async function copyVerifiedFacts(
  tx: WorkTx,
  session: Session,
  inputs: readonly VerifiedFactInput[],
): Promise<VerifiedFactsResult & { insertedSha256: string; endedSha256: string }> {
  const today = shanghaiToday(tx.now);
  const problems: Problem[] = [];
  const last = new Map<string, number>();
  const lines: string[] = [];
  const keep: { index: number; key: string; id: string; line: string }[] = [];
  inputs.forEach((input, index) => {
    const { fact, problems: found } = checkNewFact(
      {
        kind: input.kind,
        amountFen: input.amountFen ?? null,
        quantity: input.quantity ?? null,
        flag: input.flag ?? null,
        validFrom: input.validFrom,
        sourceKind: 'verified',
        sourceRef: input.sourceRef,
      },
      input.subjectType,
      today,
      `facts[${index}].`,
    );
    problems.push(...found);
    if (!/^[0-9a-f-]{36}$/i.test(input.subjectId) || !/^\d{6}$/.test(input.districtCode)) {
      problems.push({ field: `facts[${index}].subjectId`, message: '主体编号无效' });
    }
    if (!fact) return;
    const key = `${input.districtCode}/${input.subjectId}/${fact.kind}`;
    const id = randomUUID();
    last.set(key, keep.length);
    keep.push({
      index,
      key,
      id,
      line: `${[
        input.districtCode,
        input.subjectId,
        id,
        input.subjectType,
        fact.kind,
        fact.amountFen,
        fact.quantity,
        fact.flag,
        fact.validFrom,
        fact.sourceRef,
      ]
        .map(csvField)
        .join(',')}\n`,
    });
  });
  if (problems.length > 0) throw new RegistryValidationError(problems);
  const skipped: number[] = [];
  keep.forEach((k, i) => {
    if (last.get(k.key) === i) lines.push(k.line);
    else skipped.push(k.index);
  });
  const empty = { written: 0, ended: 0, unchanged: 0, skipped, insertedSha256: '', endedSha256: '' };
  if (lines.length === 0) return empty;
  await tx.db.execute(
    sql.raw(`create temporary table if not exists ${TEMP} (district_code text, subject_id uuid, id uuid,
      subject_type text, kind text, amount_fen bigint, quantity integer, flag boolean, valid_from date,
      source_ref text) on commit delete rows`),
  );
  // One chunk: a chunk per line would be a socket write per fact.
  await session.copyFrom(TEMP, COLUMNS, [lines.join('')]);
  // Without statistics the planner takes the fresh table for empty or huge; its rows drive index lookups.
  await tx.db.execute(sql.raw(`analyze ${TEMP}`));
  const day = projectionDay(today);
  const personSet = Object.entries(PERSON_COLUMNS)
    .map(([kind, column]) => `${column} = coalesce(x.${kind}, p.${column})`)
    .join(', ');
  const rows = await selectRows<{ what: string; sha256: string; n: number }>(
    tx.db,
    sql`with n as (select * from ${sql.raw(TEMP)}),
    prev as (
      select distinct on (f.district_code, f.subject_id, f.kind)
        f.district_code, f.subject_id, f.kind, f.id, f.valid_from, f.version, n.valid_from as new_from,
        n.id as new_id,
        (f.valid_from <= n.valid_from and (f.valid_to is null or f.valid_to > n.valid_from)
          and f.amount_fen is not distinct from n.amount_fen and f.quantity is not distinct from n.quantity
          and f.flag is not distinct from n.flag) as same
      from n join economic_facts f
        on f.district_code = n.district_code and f.subject_id = n.subject_id and f.kind = n.kind
      where f.source_kind = 'verified' and f.category is null and f.voided_at is null
      order by f.district_code, f.subject_id, f.kind, f.valid_from desc, f.recorded_at desc, f.id desc
    ), ended as (
      update economic_facts f set valid_to = p.new_from, version = f.version + 1
      from prev p
      where f.district_code = p.district_code and f.subject_id = p.subject_id and f.id = p.id
        and not p.same and f.version = p.version and f.voided_at is null
        and p.valid_from <= p.new_from and (f.valid_to is null or f.valid_to > p.new_from)
      returning f.district_code, f.subject_id, f.id, f.valid_to, f.version
    ), refused as (
      select n.id from n join prev p
        on p.district_code = n.district_code and p.subject_id = n.subject_id and p.kind = n.kind
      where p.valid_from > n.valid_from
    ), ins as (
      insert into economic_facts (district_code, subject_id, id, subject_type, kind, amount_fen, quantity, flag,
        valid_from, source_kind, source_ref, recorded_at, recorded_by)
      select n.district_code, n.subject_id, n.id, n.subject_type, n.kind, n.amount_fen, n.quantity, n.flag,
        n.valid_from, 'verified', n.source_ref, ${tx.now.toISOString()}::timestamptz, ${tx.actor.userId}
      from n where n.id not in (select id from refused) and n.id not in (select new_id from prev where same)
      returning district_code, subject_id, id, subject_type, kind, amount_fen, quantity, flag, valid_from,
        source_ref
    ), person_values as (
      select district_code, subject_id,
        max(amount_fen) filter (where kind = 'wage') as wage,
        max(amount_fen) filter (where kind = 'pension') as pension,
        max(amount_fen) filter (where kind = 'other_income') as other_income,
        bool_or(coalesce(flag, false)) filter (where kind = 'employment') as employment
      from ins where subject_type = 'person' and valid_from < ${day}::date group by district_code, subject_id
    ), persons_projected as (
      update persons p set ${sql.raw(personSet)}, updated_at = now()
      from person_values x where p.district_code = x.district_code and p.id = x.subject_id
      returning 1
    ), household_values as (
      select district_code, subject_id,
        max(amount_fen) filter (where kind = 'monetary_assets') as monetary_assets,
        max(quantity) filter (where kind = 'homes') as homes,
        max(quantity) filter (where kind = 'vehicles') as vehicles
      from ins where subject_type = 'household' and valid_from < ${day}::date group by district_code, subject_id
    ), households_projected as (
      update households h set monetary_assets_fen = coalesce(x.monetary_assets, h.monetary_assets_fen),
        homes = coalesce(x.homes, h.homes), vehicles = coalesce(x.vehicles, h.vehicles), updated_at = now()
      from household_values x where h.district_code = x.district_code and h.id = x.subject_id
      returning 1
    )
    select 'refused' as what, id::text as sha256, 0 as n from refused
    union all
    select 'unchanged', '', count(*)::int from prev where same
    union all
    select 'projected', '', ((select count(*) from persons_projected) + (select count(*) from households_projected))::int
    union all
    select 'ended', coalesce(encode(sha256(convert_to(string_agg(${sql.raw(ENDED_FACT_LINE)}, E'\n'
        order by id), 'UTF8')), 'hex'), ''), count(*)::int from ended
    union all
    select 'inserted', coalesce(encode(sha256(convert_to(string_agg(${sql.raw(VERIFIED_FACT_LINE)}, E'\n'
        order by id), 'UTF8')), 'hex'), ''), count(*)::int from ins`,
  );
  const out = { ...empty };
  const refused = new Set<string>();
  for (const r of rows) {
    if (r.what === 'refused') refused.add(r.sha256);
    else if (r.what === 'unchanged') out.unchanged = Number(r.n);
    else if (r.what === 'ended') [out.ended, out.endedSha256] = [Number(r.n), r.sha256];
    else if (r.what === 'inserted') [out.written, out.insertedSha256] = [Number(r.n), r.sha256];
  }
  if (refused.size > 0) {
    keep.forEach((k) => {
      if (refused.has(k.id)) skipped.push(k.index);
    });
  }
  skipped.sort((a, b) => a - b);
  return out;
}
