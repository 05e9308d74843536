/**
 * SQL of the roster export: one page of households (keyset on district and 户编号) with their current
 * members, scoped in SQL. Pages keep memory flat for exports of any size.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DataScope } from '../../auth/scope.ts';
import { selectRows } from '../../db/sql.ts';
import type { Db } from '../../db/store.ts';
import { likeEscape } from '../person.repository.ts';
import { normaliseInitialsQuery } from '../pinyin.ts';

export interface HouseholdExportQuery {
  /** A district, street or committee code (prefix of the household's committee). */
  divisionCode?: string;
  /** A member's name (prefix) or the pinyin initials of it (prefix, e.g. "zs"). */
  name?: string;
  /** Exactly these 户编号. */
  householdNos?: readonly string[];
}

export interface ExportCursor {
  districtCode: string;
  householdNo: string;
}

/** One member row; money and dates come back as text so no driver turns them into floats or Dates. */
export interface ExportRow {
  districtCode: string;
  householdNo: string;
  committeeCode: string;
  address: string;
  monetaryAssetsFen: string;
  vehicles: number;
  homes: number;
  floorAreaBelowAverage: boolean;
  /** Null for a household without current members (kept so the cursor can pass it). */
  relationCode: string | null;
  validFrom: string | null;
  seq: number | null;
  idNumber: string | null;
  name: string | null;
  sex: number | null;
  birthDate: string | null;
  hukouDivisionCode: string | null;
  phone: string | null;
  disabilityCategory: number | null;
  disabilityGrade: number | null;
  employed: boolean | null;
  categories: string[] | null;
  wageFen: string | null;
  pensionFen: string | null;
  otherIncomeFen: string | null;
}

function prefixWhere(code: string): SQL {
  return sql`h.district_code = ${code.slice(0, 6)} and h.committee_code like ${`${likeEscape(code)}%`}`;
}

function filters(scope: DataScope, query: HouseholdExportQuery): SQL {
  const parts: SQL[] = [];
  if (scope.kind === 'division') parts.push(prefixWhere(scope.code));
  if (query.divisionCode) parts.push(prefixWhere(query.divisionCode));
  if (query.householdNos) {
    parts.push(
      sql`h.household_no in (select jsonb_array_elements_text(${JSON.stringify(query.householdNos)}::jsonb))`,
    );
  }
  const name = query.name?.trim();
  if (name) {
    const initials = normaliseInitialsQuery(name);
    parts.push(sql`exists (
      select 1 from household_members fm
      join persons fp on fp.district_code = fm.district_code and fp.id = fm.person_id
      where fm.district_code = h.district_code and fm.household_id = h.id and fm.valid_to is null
        and (fp.name like ${`${likeEscape(name)}%`}
             ${initials === '' ? sql`` : sql`or fp.name_initials like ${`${likeEscape(initials)}%`}`}))`);
  }
  return parts.length === 0 ? sql`true` : sql.join(parts, sql` and `);
}

export async function exportPage(
  db: Db,
  scope: DataScope,
  query: HouseholdExportQuery,
  after: ExportCursor | undefined,
  households: number,
): Promise<ExportRow[]> {
  const cursor = after
    ? sql`and (h.district_code, h.household_no) > (${after.districtCode}, ${after.householdNo})`
    : sql``;
  return selectRows<ExportRow>(
    db,
    sql`with page as (
          select h.* from households h
          where ${filters(scope, query)} ${cursor}
          order by h.district_code, h.household_no
          limit ${households})
        select page.district_code as "districtCode", page.household_no as "householdNo",
               page.committee_code as "committeeCode", page.address,
               page.monetary_assets_fen::text as "monetaryAssetsFen", page.vehicles, page.homes,
               page.per_capita_floor_area_below_average as "floorAreaBelowAverage",
               m.*
        from page
        -- LATERAL: each household's members by primary-key lookup, so a page costs the same however
        -- large the district is (a plain join may hash the whole membership table for every page).
        left join lateral (
          select m.relation_code as "relationCode", m.valid_from::text as "validFrom", m.seq,
                 p.id_number as "idNumber", p.name, p.sex, p.birth_date::text as "birthDate",
                 p.hukou_division_code as "hukouDivisionCode", p.phone,
                 p.disability_category as "disabilityCategory", p.disability_grade as "disabilityGrade",
                 p.employed, p.categories, p.wage_fen::text as "wageFen", p.pension_fen::text as "pensionFen",
                 p.other_income_fen::text as "otherIncomeFen"
          from household_members m
          join persons p on p.district_code = m.district_code and p.id = m.person_id
          where m.district_code = page.district_code and m.household_id = page.id and m.valid_to is null
        ) m on true
        order by page.district_code, page.household_no, m."relationCode" <> '02', m.seq, m."idNumber"`,
  );
}
