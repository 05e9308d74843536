/**
 * The one error catalogue: every error the API returns has a stable code (clients switch on it), an HTTP
 * status and a Chinese message. Anything not in here becomes INTERNAL and says nothing about its cause.
 */
export const ERRORS = {
  BAD_REQUEST: { status: 400, message: '请求格式错误' },
  MALFORMED_JSON: { status: 400, message: '请求体不是合法的 JSON' },
  VALIDATION: { status: 400, message: '请求参数不合法' },
  PASSWORD_WEAK: { status: 400, message: '新密码不符合要求' },
  IMPORT_INVALID: { status: 400, message: '台账文件有错误，未导入任何数据' },
  AUTH_REQUIRED: { status: 401, message: '请先登录' },
  AUTH_INVALID: { status: 401, message: '用户名或密码错误' },
  FORBIDDEN: { status: 403, message: '没有执行此操作的权限' },
  CSRF_INVALID: { status: 403, message: '缺少或错误的 CSRF 令牌，请刷新页面后重试' },
  PASSWORD_CHANGE_REQUIRED: { status: 403, message: '请先修改初始密码' },
  NOT_FOUND: { status: 404, message: '记录不存在' },
  FILE_NOT_FOUND: { status: 404, message: '文件不存在' },
  ROUTE_NOT_FOUND: { status: 404, message: '接口不存在' },
  METHOD_NOT_ALLOWED: { status: 405, message: '不支持的请求方法' },
  CONFLICT: { status: 409, message: '与现有数据冲突' },
  STALE_VERSION: { status: 409, message: '记录已被他人修改，请刷新后重新操作' },
  WRONG_STATE: { status: 409, message: '记录当前的状态不允许此操作' },
  BACKUP_UNSUPPORTED: { status: 409, message: '本系统使用 PostgreSQL 数据库服务器，备份由数据库管理员负责' },
  BACKUP_RUNNING: { status: 409, message: '已有一个备份正在进行，请等它完成后再试' },
  CHECK_FAILED: { status: 422, message: '不满足办理条件' },
  AUTHORISATION_MISSING: { status: 422, message: '缺少家庭成员签署的核对授权书' },
  AUTHORISATION_EXPIRED: { status: 422, message: '核对授权书已过期或已终止' },
  OBJECTION_LATE: { status: 422, message: '已超过复核申请期限' },
  PACKAGE_REFUSED: { status: 422, message: '协查包未通过校验，已拒收' },
  REPORT_MISSING: { status: 422, message: '尚无可用的核对报告' },
  REPORT_STALE: { status: 422, message: '核对报告已过期或已更正，请重新核对' },
  ENGINE_DENIES: { status: 422, message: '政策引擎认定不符合条件，不能批准' },
  ALREADY_DECIDED: { status: 409, message: '已作出决定，不能修改' },
  PAYLOAD_TOO_LARGE: { status: 413, message: '请求体或上传文件过大' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: '不支持的内容类型' },
  FILE_CONTENT_MISMATCH: { status: 415, message: '文件内容与文件名不符' },
  AUTH_LOCKED: { status: 423, message: '连续登录失败次数过多，账号已临时锁定，请稍后再试' },
  RATE_LIMITED: { status: 429, message: '操作过于频繁，请稍后再试' },
  INTERNAL: { status: 500, message: '服务器内部错误，请联系管理员并提供请求编号' },
  UNAVAILABLE: { status: 503, message: '服务暂不可用' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorDetail {
  /** Field path, row/column or other locator, in the terms the user sees. */
  field?: string;
  row?: number;
  column?: string;
  value?: string;
  reason: string;
}

/** An expected failure: services and routes throw it; the error handler turns it into the response. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetail[] | undefined;
  /** Extra top-level response fields (e.g. the import report), merged into the error body. */
  readonly payload: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    options: { details?: ErrorDetail[]; payload?: Record<string, unknown> } = {},
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = options.details;
    this.payload = options.payload;
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; details?: ErrorDetail[] };
}

export function errorBody(
  code: ErrorCode,
  requestId: string,
  message?: string,
  details?: ErrorDetail[],
): ErrorBody {
  return {
    error: {
      code,
      message: message ?? ERRORS[code].message,
      requestId,
      ...(details && details.length > 0 ? { details } : {}),
    },
  };
}
