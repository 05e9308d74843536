import { sql } from 'drizzle-orm';
import type { Db } from '../../db/store.ts';
import { selectRows } from '../../db/sql.ts';
import { HOUSEHOLD_DEFAULTS, PERSON_DEFAULTS } from './facts.types.ts';

/**
 * What a household and its members *declared* (source 申报) on a day, for many subjects in one statement:
 * verification compares the agencies' figures with these, not with the figures the engine would use (those
 * may already be an earlier verification's). Rule 3 of docs/architecture.md within the one source: the
 * later `valid_from`, then the later recording, then the larger id; voided facts never count; a kind with no
 * declared fact takes SPEC.md's default (no income, not employed, no assets, one home, no vehicle).
 */

/** The kinds a verification source can contradict (incomes and employment per person, assets per household). */
const DECLARED_KINDS = [
  'wage',
  'pension',
  'other_income',
  'employment',
  'monetary_assets',
  'homes',
  'vehicles',
];

export interface DeclaredPerson {
  wageFen: number;
  pensionFen: number;
  otherIncomeFen: number;
  employed: boolean;
}

export interface DeclaredHousehold {
  monetaryAssetsFen: number;
  homes: number;
  vehicles: number;
}

export interface DeclaredFigures {
  persons: Map<string, DeclaredPerson>;
  households: Map<string, DeclaredHousehold>;
}

interface Row {
  subject_id: string;
  subject_type: 'person' | 'household';
  kind: string;
  amount_fen: number | string | null;
  quantity: number | null;
  flag: boolean | null;
}

/**
 * The declared figures on `day` of these persons and households of one district. Every id asked for is in
 * the answer (defaults when nothing was declared).
 */
export async function declaredFiguresOn(
  db: Db,
  districtCode: string,
  personIds: readonly string[],
  householdIds: readonly string[],
  day: string,
): Promise<DeclaredFigures> {
  const ids = [...new Set([...personIds, ...householdIds])];
  const rows =
    ids.length === 0
      ? []
      : await selectRows<Row>(
          db,
          sql`select distinct on (f.subject_id, f.kind)
                f.subject_id::text as subject_id, f.subject_type, f.kind, f.amount_fen, f.quantity, f.flag
              from economic_facts f
              where f.district_code = ${districtCode}
                and f.subject_id = any(${`{${ids.join(',')}}`}::uuid[])
                and f.kind = any(${`{${DECLARED_KINDS.join(',')}}`}::text[])
                and f.source_kind = 'declared' and f.voided_at is null
                and f.valid_from <= ${day}::date and (f.valid_to is null or f.valid_to > ${day}::date)
              order by f.subject_id, f.kind, f.valid_from desc, f.recorded_at desc, f.id desc`,
        );
  const persons = new Map<string, DeclaredPerson>(
    personIds.map((id) => [
      id,
      {
        wageFen: PERSON_DEFAULTS.wageFen,
        pensionFen: PERSON_DEFAULTS.pensionFen,
        otherIncomeFen: PERSON_DEFAULTS.otherIncomeFen,
        employed: PERSON_DEFAULTS.employed,
      },
    ]),
  );
  const households = new Map<string, DeclaredHousehold>(
    householdIds.map((id) => [
      id,
      {
        monetaryAssetsFen: HOUSEHOLD_DEFAULTS.monetaryAssetsFen,
        homes: HOUSEHOLD_DEFAULTS.homes,
        vehicles: HOUSEHOLD_DEFAULTS.vehicles,
      },
    ]),
  );
  for (const r of rows) {
    const amount = r.amount_fen === null ? 0 : Number(r.amount_fen);
    const p = r.subject_type === 'person' ? persons.get(r.subject_id) : undefined;
    const h = r.subject_type === 'household' ? households.get(r.subject_id) : undefined;
    if (p && r.kind === 'wage') p.wageFen = amount;
    else if (p && r.kind === 'pension') p.pensionFen = amount;
    else if (p && r.kind === 'other_income') p.otherIncomeFen = amount;
    else if (p && r.kind === 'employment') p.employed = r.flag === true;
    else if (h && r.kind === 'monetary_assets') h.monetaryAssetsFen = amount;
    else if (h && r.kind === 'homes') h.homes = r.quantity ?? 0;
    else if (h && r.kind === 'vehicles') h.vehicles = r.quantity ?? 0;
  }
  return { persons, households };
}
