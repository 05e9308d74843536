/**
 * In-process news of a queued job: the runner of this process (the server's) starts it at once instead
 * of at its next poll. Runners in other processes find it when they poll (MINZHENG_JOBS_* in docs/operations.md).
 */
const listeners = new Set<() => void>();

export function onJobQueued(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function jobQueued(): void {
  for (const listener of listeners) listener();
}
