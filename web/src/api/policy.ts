import { http } from './request.ts';
import type { CalcResponse, ParameterInfo, PolicyHousehold, Program } from './types.ts';

export const policyApi = {
  programs: () => http.get<Program[]>('/api/policy/programs'),
  parameters: () => http.get<ParameterInfo[]>('/api/policy/parameters'),
  calculate: (month: string, household: PolicyHousehold) =>
    http.post<CalcResponse>('/api/policy/calculate', { month, household, explain: true }),
  calculateRegistered: (householdId: string, month: string) =>
    http.get<CalcResponse>(`/api/policy/households/${encodeURIComponent(householdId)}/calculate`, {
      month,
      explain: true,
    }),
};
