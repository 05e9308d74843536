import { systemActorName } from './roles.ts';

/**
 * What a reader sees for the actor id of an audit row, a timeline event or an upload: the user's label
 * (the caller's: 姓名（用户名） or 姓名), a command-line operator, a named system actor (系统（自动任务）),
 * 系统 for none, or a deleted user. One rule for every page that names who did something.
 */
export function actorName(id: string | null, userLabel: (id: string) => string | undefined): string {
  if (id === null) return '系统';
  const system = systemActorName(id);
  if (system !== undefined) return system;
  if (id.startsWith('cli:')) return `命令行（${id.slice(4)}）`;
  return userLabel(id) ?? `已删除的用户（${id.slice(0, 8)}）`;
}
