/**
 * A process that takes a data directory's lock, for the lock's tests (they need real, separate processes):
 * `node --import tsx data-dir-lock.holder.ts <dir> [--wait-go]`. It prints `ready` (with --wait-go) and
 * waits for a line on stdin before trying, then prints `won <pid>` or `refused <message>`, and holds what it
 * won until stdin closes or a signal ends it.
 */
import { createInterface } from 'node:readline';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.ts';

const [dir, flag] = process.argv.slice(2);
if (!dir) throw new Error('usage: data-dir-lock.holder.ts <dir> [--wait-go]');
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

if (flag === '--wait-go') {
  process.stdout.write('ready\n');
  await lines.next();
}
try {
  lockDataDir(dir, { command: 'minzheng serve', shownDir: dir });
  process.stdout.write(`won ${process.pid}\n`);
} catch (error) {
  if (!(error instanceof DataDirLockedError)) throw error;
  process.stdout.write(`refused ${error.message}\n`);
}
// Hold until the test closes stdin (then exit releases the lock) or signals us.
while (!(await lines.next()).done);
