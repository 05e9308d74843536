import { ElMessage } from 'element-plus';
import 'element-plus/es/components/message/style/css';
import type { ApiErrorBody } from './types.ts';
import { buildUrl, downloadName, type Query } from './url.ts';

/**
 * The one request module of the console: every call goes through `request`, which sends the session cookie,
 * adds the CSRF token on unsafe methods, shows the server's Chinese error message and sends an expired session
 * back to the login page. Pages never call fetch themselves.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  form?: FormData;
  /** The caller shows the error itself (e.g. inline on a form); no toast. */
  silent?: boolean;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken: string | null = null;
let unauthorizedHandler: (() => void) | null = null;
let passwordChangeHandler: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Registered by main.ts: clear the session and go to the login page. */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

/** Registered by main.ts: the server refuses work until a one-time password is replaced. */
export function onPasswordChangeRequired(handler: () => void): void {
  passwordChangeHandler = handler;
}

function headersFor(method: string, options: RequestOptions): Headers {
  const headers = new Headers({ accept: 'application/json' });
  if (options.body !== undefined && !options.form) headers.set('content-type', 'application/json');
  if (UNSAFE.has(method) && csrfToken) headers.set('x-csrf-token', csrfToken);
  return headers;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isErrorBody(body: unknown): body is ApiErrorBody {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  return typeof error === 'object' && error !== null && 'message' in error;
}

function toApiError(status: number, body: unknown): ApiError {
  if (isErrorBody(body)) {
    return new ApiError(status, body.error.code, body.error.message, body, body.error.requestId);
  }
  const fallback = status >= 500 ? '服务器内部错误，请稍后再试' : `请求失败（HTTP ${status}）`;
  return new ApiError(status, `HTTP_${status}`, fallback, body);
}

async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  try {
    return await fetch(buildUrl(path, options.query), {
      method,
      credentials: 'same-origin',
      headers: headersFor(method, options),
      body: options.form ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
  } catch {
    const error = new ApiError(0, 'NETWORK', '无法连接服务器，请检查网络', null);
    if (!options.silent) ElMessage.error(error.message);
    throw error;
  }
}

function fail(response: Response, body: unknown, path: string, options: RequestOptions): never {
  const error = toApiError(response.status, body);
  const sessionCall = path === '/api/auth/login' || path === '/api/auth/me';
  // AUTH_INVALID is a wrong password (login, password change), not an expired session.
  if (response.status === 401 && !sessionCall && error.code !== 'AUTH_INVALID') {
    ElMessage.warning('登录已失效，请重新登录');
    unauthorizedHandler?.();
  } else if (error.code === 'PASSWORD_CHANGE_REQUIRED') {
    // The layout then shows the password dialog in place of the page, which says the same; no toast per request.
    if (passwordChangeHandler) passwordChangeHandler();
    else ElMessage.warning(error.message);
  } else if (!options.silent) {
    ElMessage.error(error.message);
  }
  throw error;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, options);
  const body = await readBody(response);
  if (!response.ok) fail(response, body, path, options);
  return body as T;
}

export const http = {
  get: <T>(path: string, query?: Query, options: RequestOptions = {}) =>
    request<T>('GET', path, { ...options, query }),
  post: <T>(path: string, body?: unknown, options: RequestOptions = {}) =>
    request<T>('POST', path, { ...options, body: body ?? {} }),
  upload: <T>(path: string, form: FormData, options: RequestOptions = {}) =>
    request<T>('POST', path, { ...options, form }),
};

/** Downloads a file (e.g. the .xlsx export) through the same session and error handling. */
export async function download(path: string, query: Query, fallbackName: string): Promise<void> {
  const response = await send('GET', path, { query });
  if (!response.ok) fail(response, await readBody(response), path, {});
  const blob = await response.blob();
  const name = downloadName(response.headers.get('content-disposition') ?? '', fallbackName);
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

/** Downloads the file a POST answers (a document rendered from a request body, e.g. the 测算单 PDF). */
export async function downloadPost(path: string, body: unknown, fallbackName: string): Promise<void> {
  const response = await send('POST', path, { body });
  if (!response.ok) fail(response, await readBody(response), path, {});
  const blob = await response.blob();
  const name = downloadName(response.headers.get('content-disposition') ?? '', fallbackName);
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}
