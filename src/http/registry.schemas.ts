import { z } from 'zod';

/** Response shapes of the registry routes (presenters/registry.presenter.ts builds them). */

const int = z.number().int();
const nullableText = z.string().nullable();

export const personSummarySchema = z.object({
  id: z.string(),
  districtCode: z.string(),
  name: z.string(),
  sex: int,
  sexName: z.string(),
  birthDate: z.string(),
  age: int,
  deathDate: nullableText,
  idNumberMasked: z.string().describe('脱敏身份证号，如 310110********1234'),
  residenceDivisionCode: z.string(),
  committeeName: nullableText,
  streetName: nullableText,
  householdId: nullableText,
  householdNo: nullableText,
  relationCode: nullableText,
});

export const personDetailSchema = z.object({
  person: z.object({
    id: z.string(),
    districtCode: z.string(),
    name: z.string(),
    nameInitials: z.string(),
    sex: int,
    sexName: z.string(),
    birthDate: z.string(),
    age: int,
    deathDate: nullableText,
    ethnicity: nullableText,
    maritalStatus: nullableText,
    idNumberMasked: z.string(),
    phoneMasked: nullableText.describe('脱敏电话，如 138****5678'),
    hukouDivisionCode: z.string(),
    residenceDivisionCode: z.string(),
    disabilityCategory: int.nullable(),
    disabilityCategoryName: nullableText,
    disabilityGrade: int.nullable(),
    disabilityGradeName: nullableText,
    employed: z.boolean(),
    seriousIllness: z.boolean(),
    hasSupporter: z.boolean(),
    categories: z.array(z.object({ code: z.string(), name: z.string() })),
    wageFen: int,
    pensionFen: int,
    otherIncomeFen: int,
  }),
  household: z
    .object({ id: z.string(), householdNo: nullableText, relationCode: nullableText })
    .nullable()
    .describe('当前所在家庭户'),
});

export const householdSummarySchema = z.object({
  id: z.string(),
  districtCode: z.string(),
  householdNo: z.string(),
  headName: nullableText,
  address: z.string(),
  committeeCode: z.string(),
  committeeName: nullableText,
  streetCode: z.string(),
  streetName: nullableText,
  memberCount: int,
});

export const householdDetailSchema = z.object({
  household: z.object({
    districtCode: z.string(),
    id: z.string(),
    householdNo: z.string(),
    streetCode: z.string(),
    committeeCode: z.string(),
    address: z.string(),
    monetaryAssetsFen: int,
    vehicles: int,
    homes: int,
    perCapitaFloorAreaBelowAverage: z.boolean(),
    medicalExpenseAnnualFen: int,
    educationExpenseAnnualFen: int,
    districtName: nullableText,
    streetName: nullableText,
    committeeName: nullableText,
  }),
  members: z.array(
    z.object({
      personId: z.string(),
      name: z.string(),
      relationCode: z.string(),
      relationName: z.string(),
      sex: int,
      sexName: z.string(),
      birthDate: z.string(),
      age: int,
      idNumberMasked: z.string(),
      validFrom: z.string(),
      disabilityCategory: int.nullable(),
      disabilityGrade: int.nullable(),
      categories: z.array(z.string()),
    }),
  ),
  history: z.array(
    z.object({
      personId: z.string(),
      name: z.string(),
      relationCode: z.string(),
      relationName: z.string(),
      validFrom: z.string(),
      validTo: nullableText,
      endReason: nullableText,
      endReasonName: nullableText,
    }),
  ),
});
