import { download, http } from '../../../api/request.ts';

/**
 * 银行文件与对账: the console's calls (src/http/routes/payroll-bank.routes.ts). The shapes are the routes'
 * response schemas.
 */

export type BankFileLayout = 'csv' | 'fixed';

export interface BankFileSummary {
  bankCode: string;
  bankName: string;
  layout: BankFileLayout;
  count: number;
  totalFen: number;
  paidCount: number;
  paidFen: number;
  failedCount: number;
  failedFen: number;
}

export interface BankFiles {
  runState: string;
  month: string;
  /** Lines without a bank the catalogue knows (they are in no file). */
  unbankedCount: number;
  unbankedFen: number;
  banks: BankFileSummary[];
}

export interface Reconciliation {
  sentCount: number;
  sentFen: number;
  paidCount: number;
  paidFen: number;
  failedCount: number;
  failedFen: number;
  outstandingCount: number;
  outstandingFen: number;
  /** sent − paid − failed − outstanding: 0 when the run reconciles to the fen. */
  differenceFen: number;
  /** 未能发送：无可用收款账户的明细（首次导出时转为发放失败，下月重发）。 */
  unsentCount: number;
  unsentFen: number;
  ledgerPaidFen: number;
  ledgerDifferenceFen: number;
  returnedFen: number;
  returnDifferenceFen: number;
  reconciled: boolean;
  imports: {
    seq: number;
    bankCode: string;
    bankName: string;
    fileName: string;
    importedAt: string;
    importedBy: string | null;
    paidCount: number;
    paidFen: number;
    failedCount: number;
    failedFen: number;
  }[];
}

export interface ReturnImportResult {
  bankCode: string;
  paidCount: number;
  paidFen: number;
  failedCount: number;
  failedFen: number;
  closed: boolean;
  reconciliation: Reconciliation;
}

/** One refused row of a return file (the error's `details`; row 0 is the file as a whole). */
export interface ReturnRowProblem {
  row: number;
  reason: string;
}

export interface Voucher {
  voucherNo: string;
  date: string;
  districtCode: string;
  month: string;
  lines: {
    no: number;
    kind: string;
    summary: string;
    account: string;
    accountName: string;
    debitFen: number;
    creditFen: number;
  }[];
  totalDebitFen: number;
  totalCreditFen: number;
}

const base = (district: string, runId: string) =>
  `/api/payroll/runs/${encodeURIComponent(district)}/${encodeURIComponent(runId)}`;

export const bankApi = {
  files: (district: string, runId: string) => http.get<BankFiles>(`${base(district, runId)}/bank-files`),
  download: (district: string, runId: string, bankCode: string, layout: BankFileLayout) =>
    download(
      `${base(district, runId)}/bank-files/${encodeURIComponent(bankCode)}`,
      { layout },
      `${bankCode}.${layout === 'csv' ? 'csv' : 'txt'}`,
    ),
  uploadReturn: (district: string, runId: string, file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return http.upload<ReturnImportResult>(`${base(district, runId)}/bank-returns`, form, { silent: true });
  },
  reconciliation: (district: string, runId: string) =>
    http.get<Reconciliation>(`${base(district, runId)}/reconciliation`),
  voucher: (district: string, runId: string) => http.get<Voucher>(`${base(district, runId)}/voucher`),
  voucherCsv: (district: string, runId: string) =>
    download(`${base(district, runId)}/voucher.csv`, {}, `voucher-${runId}.csv`),
};
