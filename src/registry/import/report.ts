/**
 * What an import returns: the HTTP layer and the console render `errors` as a table, the CLI prints it,
 * and the audit module records `audit` as one write.
 */
import type { DataScope } from '../../auth/scope.ts';

export interface ImportIssue {
  /** Spreadsheet row (the header is row 1); null for a problem with the file as a whole. */
  row: number | null;
  /** The column header, or null when the problem is not in one column. */
  column: string | null;
  value: string | null;
  /** Why, in Chinese. */
  reason: string;
}

export interface ImportActor {
  userId: string;
  divisionCode: string | null;
  reason: string;
  requestId?: string;
}

/** The one audited write an import makes (only present when something was written). */
export interface ImportAuditEvent {
  action: 'registry.import';
  actor: ImportActor;
  scope: DataScope;
  file: { name: string; bytes: number; sha256: string; kind: 'xlsx' | 'csv' };
  counts: { households: number; persons: number; memberships: number };
  /** The districts written to (every row written carries one of them). */
  districts: string[];
}

export interface ImportReport {
  ok: boolean;
  dryRun: boolean;
  /** Data rows read (excluding the header and blank rows). */
  rows: number;
  /** Households and persons written, or that would be written on a dry run; 0 when there are errors. */
  households: number;
  persons: number;
  /** At most MAX_REPORTED_ERRORS entries, in row order; `errorCount` is the full count. */
  errors: ImportIssue[];
  errorCount: number;
  audit?: ImportAuditEvent;
}

export const MAX_REPORTED_ERRORS = 1000;

/** Collects issues; keeps the first MAX_REPORTED_ERRORS but counts them all. */
export class IssueList {
  private readonly kept: ImportIssue[] = [];
  private total = 0;

  add(issue: ImportIssue): void {
    this.total++;
    if (this.kept.length < MAX_REPORTED_ERRORS) this.kept.push(issue);
  }

  get count(): number {
    return this.total;
  }

  /** Sorted by row (file problems first), then in the order found. */
  list(): ImportIssue[] {
    return this.kept
      .map((issue, order) => ({ issue, order }))
      .sort((a, b) => (a.issue.row ?? 0) - (b.issue.row ?? 0) || a.order - b.order)
      .map(({ issue }) => issue);
  }
}
