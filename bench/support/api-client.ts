/**
 * A signed-in user of the API for the workflow benchmarks: the session cookie and CSRF token of one login,
 * JSON requests and multipart uploads over the process's keep-alive connections (fetch), and an error
 * that carries the status and the server's message when an answer is not 2xx.
 */
import { multipart } from '../../src/http/multipart.fixtures.ts';
import { BENCH_PASSWORD } from './http-bench.ts';

export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${path}: ${status} ${body.slice(0, 300)}`);
  }

  /** The error code of the server's answer (`{ error: { code } }`), if it has one. */
  get code(): string | undefined {
    try {
      return (JSON.parse(this.body) as { error?: { code?: string } }).error?.code;
    } catch {
      return undefined;
    }
  }
}

export class ApiUser {
  private constructor(
    readonly address: string,
    readonly username: string,
    private readonly cookie: string,
    private readonly csrf: string,
  ) {}

  static async login(address: string, username: string): Promise<ApiUser> {
    const response = await fetch(`${address}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: BENCH_PASSWORD }),
    });
    const cookie = /mz_session=[^;]+/.exec(response.headers.get('set-cookie') ?? '')?.[0];
    const body = await response.text();
    if (!response.ok || !cookie) throw new ApiError('POST', '/api/auth/login', response.status, body);
    const { csrfToken } = JSON.parse(body) as { csrfToken: string };
    return new ApiUser(address, username, cookie, csrfToken);
  }

  get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', path, JSON.stringify(body), 'application/json');
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PUT', path, JSON.stringify(body), 'application/json');
  }

  /** A multipart upload as the console sends it: the text fields, then the file. */
  upload<T>(path: string, file: { name: string; content: Buffer }, fields: Record<string, string>) {
    const { payload, headers } = multipart(file, fields);
    return this.send<T>('POST', path, payload, headers['content-type']);
  }

  private async send<T>(method: string, path: string, body?: string | Uint8Array, type?: string): Promise<T> {
    const headers: Record<string, string> = { cookie: this.cookie };
    if (method !== 'GET') headers['x-csrf-token'] = this.csrf;
    if (type) headers['content-type'] = type;
    const payload = typeof body === 'string' || body === undefined ? body : new Blob([new Uint8Array(body)]);
    const response = await fetch(`${this.address}${path}`, { method, headers, body: payload });
    const text = await response.text();
    if (!response.ok) throw new ApiError(method, path, response.status, text);
    return JSON.parse(text) as T;
  }
}
