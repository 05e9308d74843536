/**
 * When this process last began serving a request. On the embedded store the job runner and the API share one
 * database backend: the runner leaves room between its batches only while requests are coming in, and runs
 * flat out on an idle server, a worker or the command line.
 */

let lastRequestAt = Number.NEGATIVE_INFINITY;

export function noteRequest(at: number = performance.now()): void {
  lastRequestAt = at;
}

/** Whether a request began within the last `ms` milliseconds. */
export function requestedWithin(ms: number, now: number = performance.now()): boolean {
  return now - lastRequestAt <= ms;
}
