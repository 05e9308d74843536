import { http } from './request.ts';
import type { Page } from './types.ts';

/** 近亲属备案 (/api/relatives, src/http/routes/relatives.routes.ts): the console's calls. */

export interface StaffLink {
  id: string;
  districtCode: string;
  kind: 'user' | 'committee';
  kindName: string;
  userId: string | null;
  name: string;
  divisionCode: string;
  divisionName: string;
  committeeRole: string | null;
  idNumberMasked: string;
  personId: string | null;
  inRegistry: boolean;
  endedOn: string | null;
  activeDeclarations?: number;
  version: number;
}

export interface Declaration {
  id: string;
  districtCode: string;
  staffId: string;
  relationCode: string;
  relationName: string;
  relativeName: string;
  idNumberMasked: string;
  personId: string | null;
  inRegistry: boolean;
  declaredOn: string;
  endedOn: string | null;
  endReason: string | null;
  state: 'active' | 'ended';
  stateName: string;
  version: number;
}

export interface RelationKind {
  code: string;
  name: string;
  kindName: string;
}

export interface MyRelatives {
  link: StaffLink | null;
  declarations: Declaration[];
  relationKinds: RelationKind[];
}

export interface DeclareRequest {
  relationCode: string;
  relativeName: string;
  idNumber: string;
  declaredOn?: string;
}

export interface StaffQuery {
  kind?: 'user' | 'committee' | '';
  name?: string;
  includeEnded?: 'true' | 'false';
  limit: number;
  offset: number;
}

export interface CommitteeMemberRequest {
  committeeCode: string;
  name: string;
  committeeRole: string;
  idNumber: string;
}

const key = (d: { districtCode: string; id: string }) =>
  `${encodeURIComponent(d.districtCode)}/${encodeURIComponent(d.id)}`;

export const relativesApi = {
  mine: () => http.get<MyRelatives>('/api/relatives/me'),
  linkSelf: (idNumber: string) =>
    http.post<StaffLink>('/api/relatives/me/link', { idNumber }, { silent: true }),
  declare: (body: DeclareRequest) => http.post<Declaration>('/api/relatives/me', body, { silent: true }),
  declareFor: (staff: StaffLink, body: DeclareRequest) =>
    http.post<Declaration>(`/api/relatives/${key(staff)}/declarations`, body, { silent: true }),
  end: (d: Declaration, reason: string) =>
    http.post<Declaration>(`/api/relatives/declarations/${key(d)}/end`, { version: d.version, reason }),
  staff: (query: StaffQuery) =>
    http.get<Page<StaffLink>>('/api/relatives', {
      ...query,
      kind: query.kind || undefined,
      name: query.name || undefined,
    }),
  staffDetail: (link: { districtCode: string; id: string }) =>
    http.get<{ link: StaffLink; declarations: Declaration[] }>(`/api/relatives/${key(link)}`),
  linkUser: (userId: string, idNumber: string, reason: string, version?: number) =>
    http.post<StaffLink>('/api/relatives/links', { userId, idNumber, reason, version }, { silent: true }),
  addCommitteeMember: (body: CommitteeMemberRequest) =>
    http.post<StaffLink>('/api/relatives/committee-members', body, { silent: true }),
  endCommitteeMember: (link: StaffLink, reason: string) =>
    http.post<StaffLink>(`/api/relatives/${key(link)}/end`, { version: link.version, reason }),
};
