/**
 * What an import returns: the HTTP layer and the console render `errors` as a table, the CLI prints it,
 * and `audit` repeats what the import's one audit record says.
 */
import type { DataScope } from '../../auth/scope.ts';
import { escapeUnsafeText } from '../../core/text.ts';

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

/** The import's one audit record (only present when something was written). */
export interface ImportAuditEvent {
  action: 'registry.import';
  actor: ImportActor;
  scope: DataScope;
  file: { name: string; bytes: number; sha256: string; kind: 'xlsx' | 'csv' };
  counts: { households: number; persons: number; memberships: number; facts: number };
  /** The districts written to (every row written carries one of them). */
  districts: string[];
  /** The audit record's digest of the rows written (src/workflow/copy-digest.ts). */
  digest: string;
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

/** Characters of a cell's value an error repeats: enough to find the cell, never the whole of a huge one. */
export const EXCERPT_CHARS = 40;
/** A reason is written by us, but may quote values (a household's address); this bounds it all the same. */
const MAX_REASON_CHARS = 600;

/**
 * What an error shows of a value: control characters as visible \uXXXX (a terminal must not run an ESC
 * sequence from a roster), and at most EXCERPT_CHARS characters with the full length said.
 */
export function excerpt(value: string, max = EXCERPT_CHARS): string {
  // Line breaks and tabs would break the CLI's error table; the excerpt only has to identify the cell.
  const chars = [...value.replace(/[\r\n\t]+/g, ' ')];
  const shown =
    chars.length > max ? `${chars.slice(0, max).join('')}…（共 ${chars.length} 个字符）` : chars.join('');
  return escapeUnsafeText(shown);
}

function bounded(issue: ImportIssue): ImportIssue {
  return {
    row: issue.row,
    column: issue.column === null ? null : excerpt(issue.column),
    value: issue.value === null ? null : excerpt(issue.value),
    reason: excerpt(issue.reason, MAX_REASON_CHARS),
  };
}

/** Collects issues; keeps the first MAX_REPORTED_ERRORS (each bounded) but counts them all. */
export class IssueList {
  private kept: ImportIssue[] = [];
  private total = 0;

  add(issue: ImportIssue): void {
    this.total++;
    if (this.kept.length < MAX_REPORTED_ERRORS) this.kept.push(bounded(issue));
  }

  /** Drops what was collected: a file over a cap is reported by that one problem alone. */
  clear(): void {
    this.kept = [];
    this.total = 0;
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
