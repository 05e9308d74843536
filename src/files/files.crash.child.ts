/**
 * A process the files crash tests kill with SIGKILL (they need a real process to die mid-write):
 * `node --import tsx files.crash.child.ts <data dir> stage|put`.
 * - stage: stages an endless upload into the staging folder; prints `staging <path>` once bytes are on disk.
 * - put: stages and stores distinct 256 KB contents in the disk store one after another, forever; prints
 *   `stored <n>` after each.
 */
import { Readable } from 'node:stream';
import { filesFolder, putOnDisk } from './file-store.ts';
import { discardStaged, newStagingPath, stageBytes, stageStream } from './staging.ts';

const [dataDir, mode] = process.argv.slice(2);
if (!dataDir || (mode !== 'stage' && mode !== 'put'))
  throw new Error('usage: files.crash.child.ts <dir> stage|put');

if (mode === 'stage') {
  const path = await newStagingPath(dataDir);
  let sent = 0;
  const endless = new Readable({
    read() {
      sent++;
      this.push(Buffer.alloc(64 * 1024, sent & 0xff));
      if (sent === 4) process.stdout.write(`staging ${path}\n`);
    },
  });
  await stageStream(endless, path);
} else {
  const root = filesFolder({ MINZHENG_DATA_DIR: dataDir, MINZHENG_FILES_DIR: undefined });
  for (let n = 0; ; n++) {
    const content = Buffer.alloc(256 * 1024, n & 0xff);
    content.writeUInt32LE(n, 0);
    const path = await newStagingPath(dataDir);
    await putOnDisk(root, await stageBytes(content, path));
    await discardStaged(path);
    process.stdout.write(`stored ${n}\n`);
  }
}
