import type { MenuItem } from '../api/types.ts';

/** A run of side-menu entries: under a heading when the server gave them a group, else bare. */
export interface MenuSection {
  key: string;
  group?: string;
  items: MenuItem[];
}

/**
 * The side menu in the server's order, consecutive entries of one group under one heading. The server
 * decides which entries a user gets and in what order (src/auth); the console only lays them out.
 */
export function menuSections(menus: readonly MenuItem[]): MenuSection[] {
  const sections: MenuSection[] = [];
  for (const menu of menus) {
    const last = sections.at(-1);
    if (last && last.group === menu.group) last.items.push(menu);
    else sections.push({ key: `${sections.length}:${menu.group ?? ''}`, group: menu.group, items: [menu] });
  }
  return sections;
}

/** The entry a page belongs to: the longest menu path that the page's path starts with (/households/1). */
export function activeMenuPath(menus: readonly MenuItem[], path: string): string {
  const owners = menus.filter((menu) => path === menu.path || path.startsWith(`${menu.path}/`));
  return owners.sort((a, b) => b.path.length - a.path.length)[0]?.path ?? path;
}
