import type { PolicyHousehold } from './household.ts';

/**
 * Example households in the interchange format, every field written out: `calc --example` prints
 * them and docs/household-file.md shows them (a test keeps the two identical and calculable).
 */
export interface HouseholdFile {
  readonly month: string;
  readonly household: PolicyHousehold;
}

export const EXAMPLE_KINDS = ['dibao', 'elderly', 'disabled'] as const;
export type ExampleKind = (typeof EXAMPLE_KINDS)[number];

export function isExampleKind(text: string): text is ExampleKind {
  return (EXAMPLE_KINDS as readonly string[]).includes(text);
}

const noCategories = { disabilityGrade: null, disabilityKind: null, categories: [] };

export const HOUSEHOLD_EXAMPLES: Readonly<Record<ExampleKind, { title: string; file: HouseholdFile }>> = {
  dibao: {
    title: '低保家庭：三口之家，户主打零工，妻子重病，孩子上初中',
    file: {
      month: '2026-11',
      household: {
        monetaryAssetsFen: 1200000,
        vehicles: 0,
        homes: 1,
        perCapitaFloorAreaBelowAverage: false,
        medicalExpenseAnnualFen: 3600000,
        educationExpenseAnnualFen: 240000,
        temporaryAssistanceMonths: 0,
        renovationCostFen: 0,
        members: [
          {
            id: 'm1',
            name: '张建国',
            birthDate: '1978-04-12',
            hukou: 'shanghai',
            wageFen: 300000,
            pensionFen: 0,
            otherIncomeFen: 0,
            ...noCategories,
            seriousIllness: false,
            employed: true,
            hasSupporter: true,
          },
          {
            id: 'm2',
            name: '李秀英',
            birthDate: '1980-09-30',
            hukou: 'shanghai',
            wageFen: 0,
            pensionFen: 0,
            otherIncomeFen: 20000,
            ...noCategories,
            seriousIllness: true,
            employed: false,
            hasSupporter: true,
          },
          {
            id: 'm3',
            name: '张小明',
            birthDate: '2012-06-01',
            hukou: 'shanghai',
            wageFen: 0,
            pensionFen: 0,
            otherIncomeFen: 0,
            ...noCategories,
            seriousIllness: false,
            employed: false,
            hasSupporter: true,
          },
        ],
      },
    },
  },
  elderly: {
    title: '独居老人：82岁，养老金低于低保标准，申请适老化改造',
    file: {
      month: '2026-11',
      household: {
        monetaryAssetsFen: 2000000,
        vehicles: 0,
        homes: 1,
        perCapitaFloorAreaBelowAverage: false,
        medicalExpenseAnnualFen: 600000,
        educationExpenseAnnualFen: 0,
        temporaryAssistanceMonths: 0,
        renovationCostFen: 450000,
        members: [
          {
            id: 'm1',
            name: '王桂兰',
            birthDate: '1944-02-29',
            hukou: 'shanghai',
            wageFen: 0,
            pensionFen: 150000,
            otherIncomeFen: 0,
            ...noCategories,
            seriousIllness: false,
            employed: false,
            hasSupporter: true,
          },
        ],
      },
    },
  },
  disabled: {
    title: '残疾人：一级肢体残疾、未就业的儿子与领养老金的母亲同住',
    file: {
      month: '2026-11',
      household: {
        monetaryAssetsFen: 5000000,
        vehicles: 0,
        homes: 1,
        perCapitaFloorAreaBelowAverage: false,
        medicalExpenseAnnualFen: 1800000,
        educationExpenseAnnualFen: 0,
        temporaryAssistanceMonths: 0,
        renovationCostFen: 0,
        members: [
          {
            id: 'm1',
            name: '陈志强',
            birthDate: '1986-11-20',
            hukou: 'shanghai',
            wageFen: 0,
            pensionFen: 0,
            otherIncomeFen: 0,
            disabilityGrade: 1,
            disabilityKind: 'physical',
            seriousIllness: false,
            employed: false,
            hasSupporter: true,
            categories: [],
          },
          {
            id: 'm2',
            name: '赵美华',
            birthDate: '1958-05-03',
            hukou: 'shanghai',
            wageFen: 0,
            pensionFen: 420000,
            otherIncomeFen: 0,
            ...noCategories,
            seriousIllness: false,
            employed: false,
            hasSupporter: true,
          },
        ],
      },
    },
  },
};
