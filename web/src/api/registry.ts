import { download, http, type RequestOptions } from './request.ts';
import type {
  Division,
  HouseholdDetail,
  HouseholdRow,
  ImportReport,
  Page,
  PersonDetailResponse,
  PersonRow,
  PopulationStatistics,
  UnmaskResponse,
} from './types.ts';

export interface ListQuery {
  q?: string;
  division?: string;
  limit: number;
  offset: number;
}

export const registryApi = {
  persons: (query: ListQuery) => http.get<Page<PersonRow>>('/api/persons', { ...query }),
  person: (id: string, options?: RequestOptions) =>
    http.get<PersonDetailResponse>(`/api/persons/${encodeURIComponent(id)}`, undefined, options),
  unmask: (id: string, purpose: string) =>
    http.post<UnmaskResponse>(`/api/persons/${encodeURIComponent(id)}/unmask`, { purpose }),
  households: (query: ListQuery) => http.get<Page<HouseholdRow>>('/api/households', { ...query }),
  household: (id: string, options?: RequestOptions) =>
    http.get<HouseholdDetail>(`/api/households/${encodeURIComponent(id)}`, undefined, options),
  children: (code: string) => http.get<Division[]>(`/api/divisions/${encodeURIComponent(code)}/children`),
  statistics: (division?: string) =>
    http.get<PopulationStatistics>('/api/statistics/population', { division }),
  exportHouseholds: (query: { q?: string; division?: string }) =>
    download('/api/households/export', query, '家庭户台账.xlsx'),
  /** The report comes back with 400 when the roster has errors; the caller renders it instead of a toast. */
  importHouseholds: (file: File, dryRun: boolean, reason: string) => {
    const form = new FormData();
    form.set('dryRun', String(dryRun));
    form.set('reason', reason);
    form.set('file', file, file.name);
    return http.upload<ImportReport>('/api/households/import', form, { silent: true });
  },
};
