import { http, request } from './request.ts';

/** 登记变更 and 跨区迁移: the console's calls (src/http/routes/registry-edits.routes.ts). */

export interface NewPersonBody {
  idNumber: string;
  name: string;
  sex: number;
  birthDate: string;
  ethnicity?: string | null;
  maritalStatus?: string | null;
  phone?: string | null;
  hukouDivisionCode: string;
}

/** What an edit answers: the ids and versions the page needs next, and a notice to show when there is one. */
export interface Written {
  personId?: string;
  householdId?: string;
  personVersion?: number;
  householdVersion?: number;
  notice?: string;
}

export interface TimelineEvent {
  id: number;
  action: string;
  actionLabel: string;
  fromState: string | null;
  fromStateLabel: string | null;
  toState: string;
  toStateLabel: string;
  actorName: string;
  actorDivision: string | null;
  reason: string;
  attachments: string[];
  /** ISO instant. */
  at: string;
}

export type TransferState = 'pending' | 'accepted' | 'refused' | 'withdrawn';

export interface Transfer {
  id: string;
  districtCode: string;
  districtName: string | null;
  fromCommitteeCode: string;
  fromCommitteeName: string | null;
  toDistrictCode: string;
  toDistrictName: string | null;
  toCommitteeCode: string | null;
  toCommitteeName: string | null;
  moveDate: string;
  state: TransferState;
  stateName: string;
  version: number;
  person: {
    id: string;
    name: string;
    sex: number;
    sexName: string;
    birthDate: string;
    age: number;
    idNumberMasked: string;
  };
  toHouseholdId: string | null;
  toRelationCode: string | null;
  toRelationName: string | null;
  createdAt: string;
  decidedAt: string | null;
  allowedActions: { action: string; label: string }[];
}

export interface TransferDetail extends Transfer {
  timeline: TimelineEvent[];
}

export interface MemberOnDate {
  personId: string;
  name: string;
  sexName: string;
  birthDate: string;
  age: number;
  idNumberMasked: string;
  relationCode: string;
  relationName: string;
  validFrom: string;
  validTo: string | null;
}

const enc = encodeURIComponent;
/** Writes come from dialogs that show the server's message inline: no toast as well. */
const quiet = { silent: true } as const;
const person = (id: string) => `/api/persons/${enc(id)}`;
const household = (id: string) => `/api/households/${enc(id)}`;
const transfer = (district: string, id: string) => `/api/transfers/${enc(district)}/${enc(id)}`;

export const editsApi = {
  birth: (
    householdId: string,
    body: { version: number; person: NewPersonBody; relationCode: string; reason: string },
  ) => http.post<Written>(`${household(householdId)}/births`, body, quiet),
  death: (personId: string, body: { version: number; deathDate: string; reason: string }) =>
    http.post<Written>(`${person(personId)}/death`, body, quiet),
  correctDeath: (personId: string, body: { version: number; deathDate: string; reason: string }) =>
    request<Written>('PATCH', `${person(personId)}/death`, { body, ...quiet }),
  correctPerson: (
    personId: string,
    body: { version: number; changes: Partial<NewPersonBody>; reason: string },
  ) => request<Written>('PATCH', person(personId), { body, ...quiet }),
  correctHousehold: (householdId: string, body: { version: number; address: string; reason: string }) =>
    request<Written>('PATCH', household(householdId), { body, ...quiet }),
  moveIn: (
    householdId: string,
    body: {
      version: number;
      member: { personId: string; relationCode: string } | { person: NewPersonBody; relationCode: string };
      validFrom: string;
      reason: string;
    },
  ) => http.post<Written>(`${household(householdId)}/members`, body, quiet),
  moveOut: (
    householdId: string,
    personId: string,
    body: {
      version: number;
      validTo: string;
      endReason: 'moved_out' | 'correction' | 'other';
      reason: string;
    },
  ) => http.post<Written>(`${household(householdId)}/members/${enc(personId)}/end`, body, quiet),
  move: (
    personId: string,
    body: { version: number; toHouseholdId: string; relationCode: string; date: string; reason: string },
  ) => http.post<Written>(`${person(personId)}/move`, body, quiet),
  changeHead: (
    householdId: string,
    body: {
      version: number;
      newHeadPersonId: string;
      formerHeadRelationCode: string;
      date: string;
      reason: string;
    },
  ) => http.post<Written>(`${household(householdId)}/head`, body, quiet),
  changeRelation: (
    householdId: string,
    body: { version: number; personId: string; relationCode: string; date: string; reason: string },
  ) => http.post<Written>(`${household(householdId)}/relations`, body, quiet),
  membersOn: (householdId: string, date: string) =>
    http.get<{ date: string; members: MemberOnDate[] }>(`${household(householdId)}/members`, { date }),

  districts: () => http.get<{ code: string; name: string }[]>('/api/transfers/districts'),
  startTransfer: (body: {
    personId: string;
    personVersion: number;
    toDistrictCode: string;
    toCommitteeCode?: string | null;
    moveDate: string;
    reason: string;
  }) => http.post<Transfer>('/api/transfers', body, quiet),
  transfers: (query: { direction: 'incoming' | 'outgoing'; state?: TransferState }) =>
    http.get<{ items: Transfer[] }>('/api/transfers', { ...query }),
  transfer: (district: string, id: string) => http.get<TransferDetail>(transfer(district, id)),
  accept: (
    district: string,
    id: string,
    body: { version: number; householdId: string; relationCode: string; reason: string },
  ) => http.post<Transfer>(`${transfer(district, id)}/accept`, body, quiet),
  refuse: (district: string, id: string, body: { version: number; reason: string }) =>
    http.post<Transfer>(`${transfer(district, id)}/refuse`, body, quiet),
  withdraw: (district: string, id: string, body: { version: number; reason: string }) =>
    http.post<Transfer>(`${transfer(district, id)}/withdraw`, body, quiet),
};
