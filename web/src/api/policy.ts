import { http } from './request.ts';
import type { CalcResponse, ParameterInfo, PolicyHousehold, Program } from './types.ts';

export const policyApi = {
  programs: () => http.get<Program[]>('/api/policy/programs'),
  /** Every parameter, with the value in force for `month` (default: this month in Shanghai). */
  parameters: (month?: string) =>
    http.get<ParameterInfo[]>('/api/policy/parameters', month ? { month } : undefined),
  simulate: (request: SimulationRequest) => http.post<SimulationResponse>('/api/policy/simulate', request),
  calculate: (month: string, household: PolicyHousehold) =>
    http.post<CalcResponse>('/api/policy/calculate', { month, household, explain: true }),
  calculateRegistered: (householdId: string, month: string) =>
    http.get<CalcResponse>(`/api/policy/households/${encodeURIComponent(householdId)}/calculate`, {
      month,
      explain: true,
    }),
};

/** Households, persons and monthly cost (fen) of one program; `error` when it cannot be computed. */
export interface SimulationTotals {
  households: number;
  persons: number;
  costFen: number;
  error?: string;
}

export interface SimulationRequest {
  month: string;
  division?: string;
  /** Parameter values in force for the month: money in fen, rates in basis points. */
  reform?: { parameter: string; value: number }[];
}

export interface SimulationRow {
  program: string;
  name: string;
  baseline: SimulationTotals;
  reform?: SimulationTotals;
  delta?: { households: number; persons: number; costFen: number };
  /** Per area one level below the scope (SimulationResponse.areaLevel), in code order. */
  areas: SimulationArea[];
}

/** One area's figures for one program: today's, and with a reform the figures after it and the difference. */
export interface SimulationArea {
  code: string;
  name: string;
  baseline: { households: number; persons: number; costFen: number };
  reform?: { households: number; persons: number; costFen: number };
  delta?: { households: number; persons: number; costFen: number };
}

export interface SimulationResponse {
  month: string;
  divisionCode: string | null;
  /** What the areas are: the city's districts, a district's streets, a street's 居委会. */
  areaLevel: 'district' | 'street' | 'committee';
  households: number;
  persons: number;
  reform: { parameter: string; value: number }[] | null;
  rows: SimulationRow[];
  elapsedMs: number;
}
