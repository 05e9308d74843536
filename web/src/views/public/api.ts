import { http } from '../../api/request.ts';

/** The residents' public pages: no session, no CSRF token (the server exempts these two forms). */

export interface PublicOptions {
  district: { code: string; name: string };
  streets: { code: string; name: string }[];
  programs: { code: string; name: string }[];
  contactWithinWorkingDays: number;
}

export interface ApplicationForm {
  name: string;
  idNumber: string;
  phone: string;
  streetCode: string;
  address: string;
  householdNote: string;
  programs: string[];
  consent: boolean;
}

export interface Receipt {
  receiptNo: string;
  message: string;
  contactWithinWorkingDays: number;
  contactBy: string;
}

export interface PublicStatus {
  code: string;
  receivedOn: string;
  status: string;
  explanation: string;
  dueOn: string | null;
  decision: { outcome: string; decidedOn: string | null; reason: string | null } | null;
  programs: string[];
}

export const publicApi = {
  options: () => http.get<PublicOptions>('/api/public/options', undefined, { silent: true }),
  apply: (form: ApplicationForm) => http.post<Receipt>('/api/public/applications', form, { silent: true }),
  status: (code: string, idNumber: string) =>
    http.post<PublicStatus>('/api/public/status', { code, idNumber }, { silent: true }),
};

/** What residents type: spaces between groups of digits, a lowercase x. */
export function compactIdNumber(raw: string): string {
  return raw.replace(/\s+/g, '').toUpperCase();
}

/** GB 11643 check character, so that a mistyped number is caught before sending. */
export function idNumberProblem(raw: string): string | undefined {
  const value = compactIdNumber(raw);
  if (!/^\d{17}[\dX]$/.test(value)) return '身份证号应为18位，前17位为数字，末位为数字或X';
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(value[i]) * (weights[i] ?? 0);
  if ('10X98765432'[sum % 11] !== value[17]) return '身份证号校验位错误，请核对后重新输入';
  return undefined;
}
