import type { UserLevel } from './scope.ts';

/**
 * 角色、权限与菜单的声明: what a module adds to who may do what. Each module declares its own, in one
 * object beside its code (`defineModuleAccess`), and `roles.ts` lists the declarations this installation
 * has; everything else (the role → permission table, the menus a role sees, the actors that are not
 * people) is derived from them. The console reads its side menu from the server (`menus` in
 * /api/auth/me) and keeps only the route → page table, so a module that adds a page declares its menu
 * here and nowhere else.
 *
 * Types: a module's permission and role ids are inferred from the keys it declares, so `Permission` and
 * `Role` are unions the compiler checks. References across modules (a role holding another module's
 * permission, a menu shown for it, a grant to another module's role) are plain strings, checked when the
 * declarations are combined (`combineAccess`): a typo stops the process at start-up, and a test.
 */

/** A role of staff who sign in: its Chinese name, the division levels it may be bound to, its permissions. */
export interface RoleDeclaration {
  readonly name: string;
  readonly levels: readonly UserLevel[];
  /** Permissions of any module; other modules may grant it theirs as well (`grants`). */
  readonly permissions: readonly string[];
}

/** A side-menu entry of the console. */
export interface MenuDeclaration {
  /** Stable id: the console's routes name it (`meta.menu`), tests find the entry by it (`data-menu`). */
  readonly id: string;
  /** Chinese title shown in the side menu. */
  readonly title: string;
  /** The console's path the entry opens. */
  readonly path: string;
  /** Shown to a role holding any one of these permissions; empty: to every role that signs in. */
  readonly anyOf: readonly string[];
  /** Position in the side menu, across modules (the platform's entries are 10, 20, …). */
  readonly order: number;
  /** A heading the entry is shown under; consecutive entries of one group share it. */
  readonly group?: string;
}

export interface ModuleAccess<P extends string = string, R extends string = string> {
  /** The module's Chinese name, for messages. */
  readonly module: string;
  /** The module's permissions, each with what it allows in Chinese. */
  readonly permissions: { readonly [K in P]: string };
  /** Roles this module introduces (staff who sign in). */
  readonly roles?: { readonly [K in R]: RoleDeclaration };
  /**
   * This module's permissions given to roles declared elsewhere (another module's role, or `system` for
   * automatic steps): e.g. verification grants `verification.request` to `verification_officer`.
   */
  readonly grants?: { readonly [role: string]: readonly NoInfer<P>[] };
  readonly menus?: readonly MenuDeclaration[];
  /** Actors that are not people (user id `system:…` → Chinese name for the audit log); role `system`. */
  readonly systemActors?: { readonly [id: `system:${string}`]: string };
}

/** Declares a module's access; the ids it declares become part of `Permission` and `Role`. */
export function defineModuleAccess<const P extends string, const R extends string = never>(
  access: ModuleAccess<P, R>,
): ModuleAccess<P, R> {
  return access;
}

export type PermissionOf<M> = M extends { readonly permissions: infer T } ? keyof T & string : never;
export type RoleOf<M> = M extends { readonly roles?: infer T } ? keyof NonNullable<T> & string : never;

/** The role of actors that are not people: scheduled jobs and other automatic steps. It never signs in. */
export const SYSTEM_ROLE = 'system';
export type SystemRole = typeof SYSTEM_ROLE;

export interface MenuView {
  id: string;
  title: string;
  path: string;
  group?: string;
}

/** Every module's declarations combined and checked: what roles.ts serves from. */
export interface CombinedAccess {
  /** Every permission, in declaration order, with its Chinese description. */
  readonly permissions: ReadonlyMap<string, string>;
  /** Staff roles (sign in), in declaration order. */
  readonly roles: ReadonlyMap<string, { name: string; levels: readonly UserLevel[] }>;
  /** Role (staff roles and `system`) → its permissions, in the order of `permissions`. */
  readonly rolePermissions: ReadonlyMap<string, readonly string[]>;
  /** Every menu, sorted by `order`. */
  readonly menus: readonly MenuDeclaration[];
  /** System actor id → Chinese name. */
  readonly systemActors: ReadonlyMap<string, string>;
}

/** A declaration that does not fit the others: names the module and what is wrong, in Chinese. */
export class AccessDeclarationError extends Error {
  constructor(module: string, detail: string) {
    super(`权限声明有误（${module}）：${detail}`);
    this.name = 'AccessDeclarationError';
  }
}

/**
 * Combines the modules' declarations: permissions, roles, menu ids and system actors are each declared
 * once; every permission a role, a grant or a menu names exists; every role a grant names exists; menu
 * orders are distinct. The system role gets exactly what modules grant to `system`.
 */
export function combineAccess(modules: readonly ModuleAccess[]): CombinedAccess {
  const permissions = new Map<string, string>();
  const owner = new Map<string, string>();
  const roles = new Map<string, { name: string; levels: readonly UserLevel[] }>();
  const held = new Map<string, Set<string>>([[SYSTEM_ROLE, new Set()]]);
  const menus: MenuDeclaration[] = [];
  const systemActors = new Map<string, string>();

  const once = (seen: Map<string, unknown>, id: string, what: string, module: string) => {
    if (seen.has(id)) throw new AccessDeclarationError(module, `${what} ${id} 已由其他模块声明`);
  };
  for (const m of modules) {
    for (const [id, description] of Object.entries<string>(m.permissions)) {
      once(permissions, id, '权限', m.module);
      permissions.set(id, description);
      owner.set(id, m.module);
    }
    for (const [id, role] of Object.entries<RoleDeclaration>(m.roles ?? {})) {
      if (id === SYSTEM_ROLE) throw new AccessDeclarationError(m.module, `角色 ${id} 是系统角色，不能声明`);
      once(roles, id, '角色', m.module);
      if (role.levels.length === 0) {
        throw new AccessDeclarationError(m.module, `角色 ${id} 须至少属于一个区划层级`);
      }
      roles.set(id, { name: role.name, levels: role.levels });
      held.set(id, new Set());
    }
    for (const id of Object.keys(m.systemActors ?? {})) {
      once(systemActors, id, '系统操作人', m.module);
      systemActors.set(id, m.systemActors?.[id as `system:${string}`] ?? id);
    }
  }
  const known = (module: string, permission: string, where: string) => {
    if (!permissions.has(permission)) {
      throw new AccessDeclarationError(module, `${where}引用了未声明的权限 ${permission}`);
    }
  };
  for (const m of modules) {
    for (const [id, role] of Object.entries<RoleDeclaration>(m.roles ?? {})) {
      for (const permission of role.permissions) {
        known(m.module, permission, `角色 ${id} `);
        held.get(id)?.add(permission);
      }
    }
    for (const [role, granted] of Object.entries<readonly string[]>(m.grants ?? {})) {
      const set = held.get(role);
      if (!set) throw new AccessDeclarationError(m.module, `授权给了未声明的角色 ${role}`);
      for (const permission of granted) {
        known(m.module, permission, `授权 ${role} 时`);
        if (owner.get(permission) !== m.module) {
          throw new AccessDeclarationError(
            m.module,
            `只能授出本模块的权限，${permission} 属于${owner.get(permission)}`,
          );
        }
        set.add(permission);
      }
    }
    for (const menu of m.menus ?? []) {
      if (menus.some((other) => other.id === menu.id)) {
        throw new AccessDeclarationError(m.module, `菜单 ${menu.id} 已由其他模块声明`);
      }
      const sameOrder = menus.find((other) => other.order === menu.order);
      if (sameOrder) {
        throw new AccessDeclarationError(
          m.module,
          `菜单 ${menu.id} 与 ${sameOrder.id} 的顺序号相同（${menu.order}）`,
        );
      }
      for (const permission of menu.anyOf) known(m.module, permission, `菜单 ${menu.id} `);
      menus.push(menu);
    }
  }
  const order = [...permissions.keys()];
  const rolePermissions = new Map(
    [...held].map(([role, set]) => [role, order.filter((permission) => set.has(permission))] as const),
  );
  return {
    permissions,
    roles,
    rolePermissions,
    menus: menus.sort((a, b) => a.order - b.order),
    systemActors,
  };
}

/**
 * The menus a role sees: those whose permissions it holds any one of, in order. The system role signs in
 * nowhere and sees none.
 */
export function menusFor(access: CombinedAccess, role: string): MenuView[] {
  if (!access.roles.has(role)) return [];
  const holds = access.rolePermissions.get(role) ?? [];
  return access.menus
    .filter((menu) => menu.anyOf.length === 0 || menu.anyOf.some((permission) => holds.includes(permission)))
    .map(({ id, title, path, group }) => ({ id, title, path, ...(group ? { group } : {}) }));
}
