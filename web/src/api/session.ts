import { reactive } from 'vue';
import { ApiError, http, setCsrfToken } from './request.ts';
import type { MenuId, PermissionId, SessionResponse, User } from './types.ts';

/** The signed-in user as the server describes it (/api/auth/me); the console only mirrors its menus and permissions. */
export const session = reactive<{ user: User | null; loaded: boolean; passwordPrompts: number }>({
  user: null,
  loaded: false,
  /** Bumped when the server refuses work until the one-time password is changed; the layout opens the dialog. */
  passwordPrompts: 0,
});

function apply(response: SessionResponse | null): void {
  session.user = response?.user ?? null;
  setCsrfToken(response?.csrfToken ?? null);
  session.loaded = true;
}

export function clearSession(): void {
  apply(null);
}

/** Asks the server once per page load who is signed in; a 401 simply means nobody. */
export async function loadSession(): Promise<User | null> {
  if (session.loaded) return session.user;
  try {
    apply(await http.get<SessionResponse>('/api/auth/me', undefined, { silent: true }));
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    apply(null);
  }
  return session.user;
}

export async function login(username: string, password: string): Promise<User> {
  const response = await http.post<SessionResponse>(
    '/api/auth/login',
    { username, password },
    { silent: true },
  );
  apply(response);
  return response.user;
}

export async function logout(): Promise<void> {
  try {
    await http.post<null>('/api/auth/logout', undefined, { silent: true });
  } finally {
    clearSession();
  }
}

export function can(permission: PermissionId): boolean {
  return session.user?.permissions.includes(permission) ?? false;
}

/** Whether the server gave this user the menu (and so the pages that name it in `meta.menu`). */
export function hasMenu(menu: MenuId, user: User | null = session.user): boolean {
  return user?.menus.some((item) => item.id === menu) ?? false;
}

/** Where a user lands: the first entry of their side menu. */
export function homePath(user: User | null = session.user): string | undefined {
  return user?.menus[0]?.path;
}

/** POST /api/auth/password (first login with a one-time password, or any time from the header). */
export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  await http.post<null>('/api/auth/password', { currentPassword, newPassword }, { silent: true });
  if (session.user) session.user.mustChangePassword = false;
}
