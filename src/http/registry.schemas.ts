import { z } from 'zod';

/** Response shapes of the registry routes (presenters/registry.presenter.ts builds them). */

const int = z.number().int();
const nullableText = z.string().nullable();

const hukouNames = {
  hukouDivisionName: z
    .string()
    .describe('户籍地全称，如 安徽省合肥市瑶海区；区划表中没有的代码为 外省市（代码）'),
  hukouKind: z.enum(['本市户籍', '外省市户籍']),
};

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
    ethnicityName: nullableText.describe('民族（GB/T 3304）'),
    maritalStatus: nullableText,
    maritalStatusName: nullableText.describe('婚姻状况（GB/T 2261.2）'),
    idNumberMasked: z.string(),
    phoneMasked: nullableText.describe('脱敏电话，如 138****5678'),
    hukouDivisionCode: z.string(),
    ...hukouNames,
    residenceDivisionCode: z.string(),
    residenceDivisionName: z.string().describe('居住地全称，如 上海市杨浦区控江路街道控一居委会'),
    streetName: nullableText,
    committeeName: nullableText,
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
    version: int.describe('版本号（乐观锁）：修改时原样带回，已被他人修改则 409'),
  }),
  household: z
    .object({
      id: z.string(),
      householdNo: nullableText,
      relationCode: nullableText,
      relationName: nullableText.describe('与户主关系（GB/T 4761）'),
    })
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
    version: int.describe('版本号（乐观锁）：成员变动与更正时原样带回，已被他人修改则 409'),
  }),
  members: z.array(
    z.object({
      personId: z.string(),
      personVersion: int.describe('该成员人员信息的版本号（死亡登记、更正时带回）'),
      name: z.string(),
      relationCode: z.string(),
      relationName: z.string(),
      sex: int,
      sexName: z.string(),
      birthDate: z.string(),
      age: int,
      idNumberMasked: z.string(),
      ...hukouNames,
      validFrom: z.string(),
      disabilityCategory: int.nullable(),
      disabilityCategoryName: nullableText,
      disabilityGrade: int.nullable(),
      disabilityGradeName: nullableText,
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
