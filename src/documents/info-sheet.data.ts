import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { CATEGORY_NAMES, DISABILITY_CATEGORIES, DISABILITY_GRADES, sexName } from '../registry/codes.ts';
import { maskIdNumber } from '../registry/id-number.ts';
import { placeName } from '../registry/place-names.ts';
import { knownCategories } from '../registry/present.ts';
import { getHouseholdDetail, type HouseholdRef } from '../registry/registry.service.ts';

/**
 * 家庭基本信息表: what the sheet shows, gathered in this one function (the template is pure). Economic
 * figures are the registry's values as they are today, the same the household and person detail pages
 * show; when the registry keeps dated facts (src/registry/facts/), only this function changes: it reads
 * the facts valid on `asOf` instead.
 */
export interface InfoSheetMember {
  personId: string;
  /** Where the person lives (decides whether the caller may see the full ID number). */
  residenceDivisionCode: string;
  name: string;
  relationCode: string;
  /** GB/T 4761 name, e.g. 户主, 配偶, 子. */
  relationName: string;
  sexName: string;
  birthDate: string;
  /** Masked (310110********1234) unless the caller may see it and asked to. */
  idNumber: string;
  idNumberMasked: boolean;
  hukouPlace: string;
  hukouKind: '本市户籍' | '外省市户籍';
  /** The day the person joined the household. */
  validFrom: string;
  /** e.g. 肢体残疾二级; null when none. */
  disability: string | null;
  /** Special categories by name (特困供养人员, 困境儿童, …). */
  categories: string[];
  employed: boolean;
  seriousIllness: boolean;
  hasSupporter: boolean;
  wageFen: number;
  pensionFen: number;
  otherIncomeFen: number;
}

export interface InfoSheetData {
  /** The day the figures are as of (today in Shanghai). */
  asOf: string;
  household: {
    districtCode: string;
    id: string;
    householdNo: string;
    address: string;
    committeeCode: string;
    districtName: string | null;
    streetName: string | null;
    committeeName: string | null;
  };
  economics: {
    monetaryAssetsFen: number;
    vehicles: number;
    homes: number;
    perCapitaFloorAreaBelowAverage: boolean;
    medicalExpenseAnnualFen: number;
    educationExpenseAnnualFen: number;
  };
  /** Current members, head first. */
  members: InfoSheetMember[];
}

function disabilityOf(category: number | null, grade: number | null): string | null {
  if (category === null) return null;
  const kind = (DISABILITY_CATEGORIES as Record<number, string>)[category] ?? `残疾（${category}）`;
  const level = grade === null ? '' : ((DISABILITY_GRADES as Record<number, string>)[grade] ?? `${grade}级`);
  return `${kind}${level}`;
}

/**
 * Reads a household in the caller's scope (RegistryError not_found outside it) with its current members.
 * `unmask` says, per member, whether the sheet shows the full ID number (the edge decides and audits).
 */
export async function gatherInfoSheet(
  db: Db,
  scope: DataScope,
  ref: HouseholdRef,
  options: { asOf: string; unmask?: (member: { residenceDivisionCode: string }) => boolean },
): Promise<InfoSheetData> {
  const unmask = options.unmask ?? (() => false);
  const detail = await getHouseholdDetail(db, scope, ref, { unmask: options.unmask !== undefined });
  const h = detail.household;
  return {
    asOf: options.asOf,
    household: {
      districtCode: h.districtCode,
      id: h.id,
      householdNo: h.householdNo,
      address: h.address,
      committeeCode: h.committeeCode,
      districtName: h.districtName,
      streetName: h.streetName,
      committeeName: h.committeeName,
    },
    economics: {
      monetaryAssetsFen: h.monetaryAssetsFen,
      vehicles: h.vehicles,
      homes: h.homes,
      perCapitaFloorAreaBelowAverage: h.perCapitaFloorAreaBelowAverage,
      medicalExpenseAnnualFen: h.medicalExpenseAnnualFen,
      educationExpenseAnnualFen: h.educationExpenseAnnualFen,
    },
    members: detail.members.map(({ person: p, relationCode, relationName, validFrom }) => {
      const full = !p.idNumberMasked && unmask(p);
      return {
        personId: p.id,
        residenceDivisionCode: p.residenceDivisionCode,
        name: p.name,
        relationCode,
        relationName,
        sexName: sexName(p.sex),
        birthDate: p.birthDate,
        idNumber: full || p.idNumberMasked ? p.idNumber : maskIdNumber(p.idNumber),
        idNumberMasked: !full,
        hukouPlace: placeName(p.hukouDivisionCode),
        hukouKind: p.hukouDivisionCode.startsWith('31') ? '本市户籍' : '外省市户籍',
        validFrom,
        disability: disabilityOf(p.disabilityCategory, p.disabilityGrade),
        categories: knownCategories(p.categories).map((c) => CATEGORY_NAMES[c]),
        employed: p.employed,
        seriousIllness: p.seriousIllness,
        hasSupporter: p.hasSupporter,
        wageFen: p.wageFen,
        pensionFen: p.pensionFen,
        otherIncomeFen: p.otherIncomeFen,
      };
    }),
  };
}
