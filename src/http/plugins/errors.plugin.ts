import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AdviserError, type AdviserErrorCode } from '../../advisers/advisers.errors.ts';
import {
  ParameterChangeError,
  type ParameterChangeErrorCode,
} from '../../parameter-changes/parameter-changes.errors.ts';
import { CalendarError } from '../../calendar/calendar.errors.ts';
import { FilesError, type FilesErrorCode } from '../../files/files.errors.ts';
import { VerificationError, type VerificationErrorCode } from '../../verification/verification.errors.ts';
import { EntitlementError, type EntitlementErrorCode } from '../../entitlements/entitlements.errors.ts';
import { PayrollError, type PayrollErrorCode } from '../../payroll/payroll.errors.ts';
import { PayeeError, type PayeeErrorCode } from '../../payees/payees.errors.ts';
import { EventError, type EventErrorCode } from '../../events/events.errors.ts';
import { TaskError, type TaskErrorCode } from '../../tasks/tasks.errors.ts';
import { BankError, type BankErrorCode } from '../../payroll/bank/bank.errors.ts';
import { ControlError, type ControlErrorCode } from '../../controls/controls.errors.ts';
import { RelativesError, type RelativesErrorCode } from '../../relatives/relatives.errors.ts';
import { CasesError, type CasesErrorCode } from '../../cases/cases.errors.ts';
import { NoticeError, type NoticeErrorCode } from '../../cases/notices/notices.errors.ts';
import { PublicError, type PublicErrorCode } from '../../cases/public/public.errors.ts';
import { RegistryError, RegistryValidationError } from '../../registry/registry.errors.ts';
import { JobError, type JobErrorCode } from '../../jobs/jobs.errors.ts';
import { ArchiveError, type ArchiveErrorCode } from '../../archives/archives.errors.ts';
import { StatisticsError, type StatisticsErrorCode } from '../../statistics/statistics.errors.ts';
import { ConflictError, WorkflowError, type WorkflowErrorCode } from '../../workflow/workflow.errors.ts';
import { AppError, errorBody, type ErrorCode, type ErrorDetail } from '../errors.ts';
import { ERRORS } from '../errors.ts';

/** Fastify's and its plugins' own error codes that mean "the client sent something wrong". */
const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_REQ_FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_FIELDS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_PROTO_VIOLATION: 'BAD_REQUEST',
  FST_ERR_VALIDATION: 'VALIDATION',
  // @fastify/static refusing a non-canonical path ("..", "//", "\\"): answered like a missing file.
  FST_STATIC_FORBIDDEN_PATH: 'FILE_NOT_FOUND',
};

function registryCode(error: RegistryError): ErrorCode {
  switch (error.code) {
    case 'validation':
      return 'VALIDATION';
    case 'not_found':
    case 'out_of_scope':
      return 'NOT_FOUND';
    case 'already_in_household':
    case 'duplicate':
    case 'conflict':
      return 'CONFLICT';
  }
}

const WORKFLOW_CODES: Record<WorkflowErrorCode, ErrorCode> = {
  stale_version: 'STALE_VERSION',
  wrong_state: 'WRONG_STATE',
  check_failed: 'CHECK_FAILED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  invalid_actor: 'VALIDATION',
  // A write path that skipped its audit record is a programming error: nothing was committed.
  unaudited_write: 'INTERNAL',
};

const JOB_CODES: Record<JobErrorCode, ErrorCode> = {
  invalid_payload: 'VALIDATION',
  unknown_kind: 'VALIDATION',
  not_found: 'NOT_FOUND',
  forbidden: 'FORBIDDEN',
};

function workflowError(error: WorkflowError): Classified {
  const code = WORKFLOW_CODES[error.code];
  if (code === 'INTERNAL') return { code };
  const payload =
    error instanceof ConflictError
      ? {
          current: {
            state: error.currentState ?? null,
            version: error.currentVersion ?? null,
            allowedActions: error.allowedActions ?? [],
          },
        }
      : undefined;
  return { code, message: code === 'NOT_FOUND' ? ERRORS.NOT_FOUND.message : error.message, payload };
}

const FILES_CODES: Record<FilesErrorCode, ErrorCode> = {
  unsupported_type: 'UNSUPPORTED_MEDIA_TYPE',
  content_mismatch: 'FILE_CONTENT_MISMATCH',
  too_large: 'PAYLOAD_TOO_LARGE',
  invalid: 'VALIDATION',
  not_found: 'NOT_FOUND',
  forbidden: 'FORBIDDEN',
  // A stored content the files folder lost: the operator's problem, said in Chinese and logged.
  content_missing: 'INTERNAL',
};

const VERIFICATION_CODES: Record<VerificationErrorCode, ErrorCode> = {
  not_found: 'NOT_FOUND',
  invalid: 'VALIDATION',
  authorisation_missing: 'AUTHORISATION_MISSING',
  authorisation_expired: 'AUTHORISATION_EXPIRED',
  objection_late: 'OBJECTION_LATE',
  same_officer: 'FORBIDDEN',
  unknown_request: 'NOT_FOUND',
  malformed_answer: 'VALIDATION',
  package_refused: 'PACKAGE_REFUSED',
  source_failed: 'UNAVAILABLE',
};

const ENTITLEMENT_CODES: Record<EntitlementErrorCode, ErrorCode> = {
  not_found: 'NOT_FOUND',
  invalid: 'VALIDATION',
  report_missing: 'REPORT_MISSING',
  report_stale: 'REPORT_STALE',
  engine_denies: 'ENGINE_DENIES',
  decided: 'ALREADY_DECIDED',
  not_prepared: 'CHECK_FAILED',
  conflict: 'CONFLICT',
};

const CONTROL_CODES: Record<ControlErrorCode, ErrorCode> = {
  not_found: 'NOT_FOUND',
  invalid: 'VALIDATION',
  forbidden: 'FORBIDDEN',
};

const PAYEE_CODES: Record<PayeeErrorCode, ErrorCode> = {
  not_found: 'NOT_FOUND',
  invalid: 'VALIDATION',
  forbidden: 'FORBIDDEN',
  conflict: 'STALE_VERSION',
};

const EVENT_CODES: Record<EventErrorCode, ErrorCode> = {
  not_found: 'NOT_FOUND',
  invalid: 'VALIDATION',
  forbidden: 'FORBIDDEN',
};

const TASK_CODES: Record<TaskErrorCode, ErrorCode> = {
  not_found: 'NOT_FOUND',
  invalid: 'VALIDATION',
  forbidden: 'FORBIDDEN',
  conflict: 'STALE_VERSION',
};

const BANK_CODES: Record<BankErrorCode, ErrorCode> = {
  not_found: 'NOT_FOUND',
  wrong_state: 'WRONG_STATE',
  invalid: 'VALIDATION',
  return_refused: 'CHECK_FAILED',
  forbidden: 'FORBIDDEN',
};

const PAYROLL_CODES: Record<PayrollErrorCode, ErrorCode> = {
  not_found: 'NOT_FOUND',
  invalid: 'VALIDATION',
  month_taken: 'CONFLICT',
  same_person: 'FORBIDDEN',
  held_lines: 'CHECK_FAILED',
  blocking_findings: 'CHECK_FAILED',
  conflict: 'CONFLICT',
};

const CASES_CODES: Record<CasesErrorCode, ErrorCode> = {
  not_found: 'NOT_FOUND',
  invalid: 'VALIDATION',
  forbidden: 'FORBIDDEN',
  relative_conflict: 'FORBIDDEN',
};

const PUBLIC_CODES: Record<PublicErrorCode, ErrorCode> = {
  invalid: 'VALIDATION',
  outside_district: 'VALIDATION',
  not_found: 'NOT_FOUND',
  rate_limited: 'RATE_LIMITED',
  forbidden: 'FORBIDDEN',
};

const NOTICE_CODES: Record<NoticeErrorCode, ErrorCode> = {
  not_found: 'NOT_FOUND',
  forbidden: 'FORBIDDEN',
  not_issued: 'WRONG_STATE',
  invalid: 'VALIDATION',
};

const RELATIVES_CODES: Record<RelativesErrorCode, ErrorCode> = {
  not_found: 'NOT_FOUND',
  invalid: 'VALIDATION',
  not_linked: 'CHECK_FAILED',
  already_linked: 'CONFLICT',
  duplicate: 'CONFLICT',
  forbidden: 'FORBIDDEN',
};

const ARCHIVE_CODES: Record<ArchiveErrorCode, ErrorCode> = { not_found: 'NOT_FOUND', forbidden: 'FORBIDDEN' };

const STATISTICS_CODES: Record<StatisticsErrorCode, ErrorCode> = {
  not_found: 'NOT_FOUND',
  invalid: 'VALIDATION',
};

const ADVISER_CODES: Record<AdviserErrorCode, ErrorCode> = {
  not_found: 'NOT_FOUND',
  invalid: 'VALIDATION',
  not_assigned: 'FORBIDDEN',
  already_assigned: 'CONFLICT',
};

const PARAMETER_CHANGE_CODES: Record<ParameterChangeErrorCode, ErrorCode> = {
  not_found: 'NOT_FOUND',
  unknown_parameter: 'VALIDATION',
  invalid: 'VALIDATION',
  before_first_value: 'VALIDATION',
  forbidden: 'FORBIDDEN',
  same_officer: 'FORBIDDEN',
};

interface Classified {
  code: ErrorCode;
  message?: string | undefined;
  details?: ErrorDetail[] | undefined;
  payload?: Record<string, unknown> | undefined;
}

function classify(error: unknown): Classified | undefined {
  if (error instanceof AppError) {
    return { code: error.code, message: error.message, details: error.details, payload: error.payload };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const details = error.validation.map((issue) => ({
      field: `${error.validationContext ?? ''}${issue.instancePath.replaceAll('/', '.')}`,
      reason: issue.message ?? '不合法',
    }));
    return {
      code: 'VALIDATION',
      message: `请求参数不合法：${details.map((d) => d.field).join('、')}`,
      details,
    };
  }
  if (error instanceof WorkflowError) return workflowError(error);
  if (error instanceof JobError) return { code: JOB_CODES[error.code], message: error.message };
  if (error instanceof CalendarError) {
    // A bad date, year or import: every problem listed, nothing written.
    return {
      code: 'VALIDATION',
      message: error.message,
      details: error.problems.map((p) => ({ ...(p.field ? { field: p.field } : {}), reason: p.message })),
    };
  }
  if (error instanceof FilesError) return { code: FILES_CODES[error.code], message: error.message };
  if (error instanceof VerificationError) {
    // Every problem listed; "not found" and "out of scope" read alike (the module's message says both).
    return {
      code: VERIFICATION_CODES[error.code],
      message: error.message,
      details: error.problems.length > 1 ? error.problems.map((reason) => ({ reason })) : undefined,
    };
  }
  if (error instanceof EntitlementError) {
    return {
      code: ENTITLEMENT_CODES[error.code],
      message: error.message,
      details: error.problems.length > 1 ? error.problems.map((reason) => ({ reason })) : undefined,
    };
  }
  if (error instanceof ControlError) return { code: CONTROL_CODES[error.code], message: error.message };
  if (error instanceof EventError) {
    return {
      code: EVENT_CODES[error.code],
      message: error.message,
      details: error.problems.length > 1 ? error.problems.map((reason) => ({ reason })) : undefined,
    };
  }
  if (error instanceof TaskError) return { code: TASK_CODES[error.code], message: error.message };
  if (error instanceof PayeeError) {
    return {
      code: PAYEE_CODES[error.code],
      message: error.message,
      details: error.problems.length > 1 ? error.problems.map((reason) => ({ reason })) : undefined,
    };
  }
  if (error instanceof BankError) {
    // A refused return file: every row's problem (row 0: the file as a whole).
    return {
      code: BANK_CODES[error.code],
      message: error.message,
      details: error.rows.length > 0 ? error.rows.map((r) => ({ row: r.row, reason: r.message })) : undefined,
    };
  }
  if (error instanceof PayrollError) {
    return {
      code: PAYROLL_CODES[error.code],
      message: error.message,
      details: error.problems.length > 1 ? error.problems.map((reason) => ({ reason })) : undefined,
    };
  }
  if (error instanceof CasesError) {
    return {
      code: CASES_CODES[error.code],
      message: error.message,
      details: error.problems.length > 1 ? error.problems.map((reason) => ({ reason })) : undefined,
    };
  }
  if (error instanceof ArchiveError) return { code: ARCHIVE_CODES[error.code], message: error.message };
  if (error instanceof StatisticsError) return { code: STATISTICS_CODES[error.code], message: error.message };
  if (error instanceof NoticeError) return { code: NOTICE_CODES[error.code], message: error.message };
  if (error instanceof PublicError) {
    const details = error.problems.map((p) => ({ field: p.field, reason: p.reason }));
    return {
      code: PUBLIC_CODES[error.code],
      message: error.message,
      details: details.length > 0 ? details : undefined,
    };
  }
  if (error instanceof RelativesError) {
    return {
      code: RELATIVES_CODES[error.code],
      message: error.message,
      details: error.problems.length > 1 ? error.problems.map((reason) => ({ reason })) : undefined,
    };
  }
  if (error instanceof ParameterChangeError) {
    return {
      code: PARAMETER_CHANGE_CODES[error.code],
      message: error.message,
      details: error.problems.length > 1 ? error.problems.map((reason) => ({ reason })) : undefined,
    };
  }
  if (error instanceof AdviserError) {
    return {
      code: ADVISER_CODES[error.code],
      message: error.message,
      details: error.problems.length > 1 ? error.problems.map((reason) => ({ reason })) : undefined,
    };
  }
  if (error instanceof RegistryValidationError) {
    return {
      code: 'VALIDATION',
      message: error.message,
      details: error.problems.map((p) => ({ field: p.field, reason: p.message })),
    };
  }
  if (error instanceof RegistryError) {
    const code = registryCode(error);
    // Out of scope reads exactly like absent: the message must not reveal that the record exists.
    return {
      code,
      message: code === 'NOT_FOUND' ? ERRORS.NOT_FOUND.message : error.message,
      details:
        error.field && code !== 'NOT_FOUND' ? [{ field: error.field, reason: error.message }] : undefined,
    };
  }
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    const code = FRAMEWORK_CODES[error.code];
    if (code) return { code };
  }
  return undefined;
}

/**
 * What of an unexpected error goes to the log: database errors carry the offending values in `detail`
 * (an ID number in a unique violation, say), so only name, code, message and stack are kept.
 */
export function loggableError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const cause =
    error.cause instanceof Error ? { name: error.cause.name, message: error.cause.message } : undefined;
  // drizzle's query errors append the bound parameters (names, ID numbers) to the message.
  const message = error.message.split('\nparams:')[0];
  const stack = error.stack?.replace(error.message, message ?? '');
  return { name: error.name, code, message, stack, cause };
}

/** The one place errors become responses: known errors by the catalogue, everything else INTERNAL. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = classify(error);
    if (!known) {
      if (isResponseSerializationError(error)) {
        request.log.error(
          { err: { message: error.message, issues: error.cause.issues } },
          'response schema mismatch',
        );
      } else {
        request.log.error({ err: loggableError(error) }, 'unhandled error');
      }
      return reply.status(500).send(errorBody('INTERNAL', request.id));
    }
    const status = ERRORS[known.code].status;
    if (status >= 500) request.log.error({ err: loggableError(error) }, known.code);
    else request.log.info({ code: known.code }, 'request refused');
    const body = errorBody(known.code, request.id, known.message, known.details);
    return reply.status(status).send(known.payload ? { ...known.payload, ...body } : body);
  });
}

export function apiNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.status(404).send(errorBody('ROUTE_NOT_FOUND', request.id));
}
