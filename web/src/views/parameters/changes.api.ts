import { http } from '../../api/request.ts';
import type {
  ChangeAction,
  ChangeState,
  ParameterChange,
  ParameterWithOrigins,
  ProposeBody,
} from './changes.ts';

/** The parameter-changes API (src/http/routes/parameter-changes.routes.ts). */
export const changesApi = {
  parameters: (month?: string) =>
    http.get<ParameterWithOrigins[]>('/api/parameters', month ? { month } : undefined),
  changes: (query: { state?: ChangeState; parameter?: string } = {}) =>
    http.get<ParameterChange[]>('/api/parameters/changes', query),
  propose: (body: ProposeBody) => http.post<ParameterChange>('/api/parameters/changes', body),
  act: (id: string, action: ChangeAction, body: { version: number; reason: string }) =>
    http.post<ParameterChange>(`/api/parameters/changes/${encodeURIComponent(id)}/${action}`, body),
};
