/**
 * Response types of the HTTP API, hand-written to match the service
 * (/api/openapi.json); generating them from it is the planned next step (docs/console.md).
 * Money is always integer fen; dates are ISO strings.
 */

// Roles, permissions and menus are the server's (src/auth: each module declares its own); the console
// reads the signed-in user's from /api/auth/me and keeps no copy of them.
import type { Menu, Permission, Role } from '../../../src/auth/roles.ts';

export type RoleId = Role;
export type PermissionId = Permission;
/** A side-menu entry as the server sends it (id, Chinese title, console path, group heading). */
export type MenuItem = Menu;
/** The menu ids routes name in `meta.menu`. */
export type MenuId = string;

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: RoleId;
  roleName: string;
  divisionCode: string;
  divisionName: string;
  permissions: PermissionId[];
  /** The side menu, in order: the server decides who sees which page. */
  menus: MenuItem[];
  /** Set for accounts with a one-time password: the console asks for a new one. */
  mustChangePassword?: boolean;
}

export interface SessionResponse {
  user: User;
  csrfToken: string;
}

export interface ApiErrorBody {
  error: { code: string; message: string; requestId?: string; details?: unknown[] };
}

export interface Page<T> {
  items: T[];
  /** When `totalExact` is false there are more than `total` matches (the server counts up to a limit). */
  total: number;
  totalExact: boolean;
}

export interface Division {
  code: string;
  name: string;
  level: string;
}

export interface PersonRow {
  id: string;
  districtCode?: string;
  name: string;
  sex: string | number;
  sexName?: string;
  birthDate: string;
  age: number;
  deathDate?: string | null;
  idNumberMasked: string;
  phoneMasked?: string | null;
  residenceDivisionCode: string;
  committeeName: string | null;
  streetName: string | null;
  householdId: string | null;
  householdNo: string | null;
  relationCode?: string | null;
  disabilityCategory?: string | number | null;
  disabilityGrade?: number | null;
  categories?: string[];
}

/** GET /api/persons/:id: the masked person and the current household. */
export interface PersonDetail {
  id: string;
  name: string;
  sex: string | number;
  sexName?: string;
  birthDate: string;
  age: number;
  idNumberMasked: string;
  phoneMasked: string | null;
  hukouDivisionCode?: string | null;
  /** 户籍地全称（安徽省合肥市瑶海区；区划表没有的代码为 外省市（代码））. */
  hukouDivisionName?: string;
  hukouKind?: '本市户籍' | '外省市户籍';
  residenceDivisionCode?: string;
  residenceDivisionName?: string;
  streetName?: string | null;
  committeeName?: string | null;
  ethnicityName?: string | null;
  maritalStatusName?: string | null;
  deathDate?: string | null;
  disabilityCategoryName?: string | null;
  disabilityGradeName?: string | null;
  employed?: boolean;
  seriousIllness?: boolean;
  hasSupporter?: boolean;
  categories?: ({ code: string; name?: string } | string)[];
  wageFen?: number;
  pensionFen?: number;
  otherIncomeFen?: number;
  [field: string]: unknown;
}

export interface PersonDetailResponse {
  person: PersonDetail;
  household: {
    id: string;
    householdNo: string;
    relationCode?: string | null;
    relationName?: string | null;
  } | null;
}

export interface UnmaskResponse {
  idNumber: string;
  phone: string | null;
}

export interface HouseholdRow {
  id: string;
  districtCode?: string;
  householdNo: string;
  headName: string | null;
  address: string | null;
  committeeCode: string;
  committeeName: string | null;
  streetCode?: string;
  streetName: string | null;
  memberCount: number;
}

/** The household record of GET /api/households/:id (economic fields in fen). */
export interface HouseholdRecord {
  id: string;
  householdNo: string;
  address: string | null;
  committeeCode: string;
  committeeName: string | null;
  streetName: string | null;
  districtName?: string | null;
  headName?: string | null;
  monetaryAssetsFen?: number;
  vehicles?: number;
  homes?: number;
  perCapitaFloorAreaBelowAverage?: boolean;
  medicalExpenseAnnualFen?: number;
  educationExpenseAnnualFen?: number;
}

export interface HouseholdMember {
  personId: string;
  name: string;
  relationCode: string;
  relationName: string;
  sex: string | number;
  sexName?: string;
  birthDate: string;
  age: number;
  idNumberMasked: string;
  hukouDivisionName?: string;
  hukouKind?: '本市户籍' | '外省市户籍';
  disabilityCategoryName?: string | null;
  disabilityGradeName?: string | null;
  [field: string]: unknown;
}

export interface MembershipHistoryRow {
  personId: string;
  name: string;
  relationCode: string;
  relationName: string;
  validFrom: string;
  validTo: string | null;
  endReasonName?: string | null;
}

export interface HouseholdDetail {
  household: HouseholdRecord;
  members: HouseholdMember[];
  history: MembershipHistoryRow[];
}

export interface ImportError {
  row: number;
  column: string;
  value: string | null;
  reason: string;
}

export interface ImportReport {
  ok: boolean;
  dryRun: boolean;
  rows: number;
  households: number;
  persons: number;
  errors: ImportError[];
  errorCount: number;
}

export interface CountByBand {
  band: string;
  count: number;
}

export interface AreaFigures {
  code: string;
  name: string | null;
  persons: number;
  households: number;
}

export interface PopulationStatistics {
  asOf: string;
  /** When the figures were computed; `fresh` false: the registry changed since and newer ones are on the way. */
  computedAt: string;
  fresh: boolean;
  /** persons: everyone living in the scope (常住); hukouPersons: of them, Shanghai 户籍. */
  totals: { persons: number; hukouPersons: number; households: number };
  pyramid: { band: string; male: number; female: number }[];
  elderly: { share60: number; bands: CountByBand[] };
  disability: {
    byCategory: { code?: string | number; name?: string; count: number }[];
    byGrade: { grade?: string | number; name?: string; count: number }[];
  };
  categories: { code: string; name: string; count: number }[];
  byStreet: AreaFigures[];
  /** The scope's parts one level down: streets (district, city) or committees (street, committee). */
  areas: { level: 'street' | 'committee'; items: AreaFigures[] };
  /** Households by number of members, for a committee scope only. */
  householdSizes: { size: number; label: string; households: number }[] | null;
}

export interface Program {
  code: string;
  name: string;
  level: 'household' | 'person';
}

export interface Reason {
  code: string;
  text: string;
  memberId?: string;
}

/** A parameter a result used whose value in force is not given/found (SPEC.md "Warnings"). */
export type CalcWarning =
  string | { parameter?: string; status?: string; effective?: string; message?: string; text?: string };

export interface ParameterRead {
  parameter: string;
  value: number;
  /** fen, fen_per_year, bp, years… (formatUnitValue shows it as 元, % or 周岁). */
  unit: string;
  effective: string;
  status: string;
  source: string;
  decided?: string;
}

export interface CalcTrace {
  parameters: ParameterRead[];
  figures: { name: string; value: number | boolean | string; memberId?: string }[];
  /** What a caseworker can read aloud. */
  narrative: string;
}

export interface ProgramResult {
  program: string;
  eligible: boolean;
  amountFen: number;
  byMember?: Record<string, number>;
  reasons: Reason[];
  warnings: CalcWarning[];
  error?: string | { code?: string; message: string };
  trace?: CalcTrace;
}

export interface CalcResponse {
  month: string;
  results: ProgramResult[];
  narrative?: string | string[];
}

// The SPEC.md household interchange format: the engine's own types, so that the two cannot drift.
export type {
  Category,
  DisabilityKind,
  Hukou,
  PolicyHousehold,
  PolicyMember,
} from '../../../src/policy/household.ts';

export type ParameterStatus = 'given' | 'found' | 'secondary' | 'inferred' | 'unverified' | 'assumption';

export interface ParameterValue {
  from: string;
  value: number | string | Record<string, unknown>;
  status: ParameterStatus | string;
  source: string;
  decided?: string | null;
  note?: string;
}

/** The value a calculation for `month` reads (the engine's own rule), with the warning it carries. */
export interface ParameterInForce extends ParameterValue {
  month: string;
  /** The year looked for, when a yearly statistic fell back to an earlier year. */
  wanted?: string;
  warning?: string;
}

/** A district that sets a parameter itself (区级参数): its own values and the one in force there. */
export interface DistrictParameter {
  code: string;
  /** 普陀区. */
  name: string;
  values: ParameterValue[];
  current: ParameterInForce | null;
}

export interface ParameterInfo {
  name: string;
  description: string;
  unit: string;
  keyedBy?: 'date' | 'year';
  /** The city's values; empty when only districts set the parameter. */
  values: ParameterValue[];
  current?: ParameterInForce | null;
  /** Districts with their own values; every other district uses the city's. */
  districts?: DistrictParameter[];
}

export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  role: RoleId;
  roleName?: string;
  divisionCode: string;
  divisionName?: string;
  locked?: boolean;
  disabled?: boolean;
  mustChangePassword?: boolean;
  createdAt?: string;
  [field: string]: unknown;
}

export interface CreateUserRequest {
  username: string;
  displayName: string;
  role: RoleId;
  divisionCode: string;
  password?: string;
}
