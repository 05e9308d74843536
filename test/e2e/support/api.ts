/**
 * A minimal API client for test setup (finding fixtures the browser then looks for): the same HTTP API
 * the console uses, with a session cookie and the CSRF token.
 */
export interface ApiAgent {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<{ status: number; body: T }>;
}

export async function apiLogin(baseUrl: string, username: string, password: string): Promise<ApiAgent> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200)
    throw new Error(`login ${username}: HTTP ${response.status} ${await response.text()}`);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';', 1)[0] ?? '';
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return {
    async get<T>(path: string): Promise<T> {
      const reply = await fetch(`${baseUrl}${path}`, { headers: { cookie } });
      if (!reply.ok) throw new Error(`GET ${path}: HTTP ${reply.status} ${await reply.text()}`);
      return (await reply.json()) as T;
    },
    async post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
      const reply = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await reply.text();
      return { status: reply.status, body: (text ? JSON.parse(text) : null) as T };
    },
  };
}
