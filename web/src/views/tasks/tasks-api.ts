import { http } from '../../api/request.ts';

/** 待办: the console's calls (src/http/routes/events.routes.ts, /api/tasks); the shapes are its response schemas. */

export type TaskOutcome = 'done' | 'declined' | 'not_eligible' | 'enrolled';

export const OUTCOME_NAMES: Record<TaskOutcome, string> = {
  done: '已办结',
  declined: '对象拒绝',
  not_eligible: '不符合条件',
  enrolled: '已纳入救助',
};

export interface TaskItem {
  id: string;
  districtCode: string;
  householdId: string | null;
  householdNo: string | null;
  personName: string | null;
  kind: string;
  title: string;
  divisionName: string | null;
  dueOn: string;
  overdue: boolean;
  state: 'open' | 'done';
  stateName: string;
  outcomeName: string | null;
  note: string | null;
  outcomeNote: string | null;
  createdAt: string;
  completedAt: string | null;
  version: number;
}

export interface TaskQuery {
  state?: 'open' | 'done' | undefined;
  limit: number;
  offset: number;
}

export const tasksApi = {
  list: (query: TaskQuery) => http.get<{ items: TaskItem[]; total: number }>('/api/tasks', { ...query }),
  complete: (task: TaskItem, outcome: TaskOutcome, note: string) =>
    http.post<TaskItem>(`/api/tasks/${task.districtCode}/${task.id}/complete`, {
      version: task.version,
      outcome,
      ...(note.trim() ? { note: note.trim() } : {}),
    }),
};
