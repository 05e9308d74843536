/**
 * Hostile uploads: `npx tsx bench/import-hostile.bench.ts [--case bomb|rows] [--rows N]`.
 * Uploads, through the HTTP route on an in-memory PGlite, (bomb) a ~60 KB workbook whose one shared
 * string inflates to 50 MB and is the name and address of two rows, and (rows) a sheet of N bad rows
 * (default 700,000). Each case runs in a process of its own so that the peak RSS is the case's; prints
 * the status, the response size, the error count and the peak RSS. Asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPglite } from '../src/db/store.ts';
import { addUser, loginAs, testServer } from '../src/http/test-helpers.ts';
import { makeIdNumber } from '../src/registry/id-number.ts';
import { hostileXlsx, manyBadRows, sharedStringBomb } from '../src/registry/import/hostile.fixtures.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const peakMb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);

/** Built by the parent process, so that building the file does not count in the case's peak RSS. */
function buildFile(which: string, path: string): void {
  const rows = Number(arg('--rows') ?? 700_000);
  const ids = [makeIdNumber('310110', '1950-01-01', 11), makeIdNumber('310110', '1951-01-01', 13)] as const;
  writeFileSync(
    path,
    which === 'bomb' ? sharedStringBomb(50, ids) : hostileXlsx({ rows: manyBadRows(rows) }),
  );
}

async function runCase(which: string, path: string): Promise<void> {
  const file = readFileSync(path);
  const store = await openPglite();
  await store.migrate();
  const app = await testServer(store);
  await addUser(store, 'bench', 'street_caseworker', '310110001');
  const agent = await loginAs(app, 'bench');
  const boundary = '----mzbench';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="reason"\r\n\r\n基准测试\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="dryRun"\r\n\r\ntrue\r\n`),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="hostile.xlsx"\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const before = peakMb();
  const started = performance.now();
  const response = await app.inject({
    method: 'POST',
    url: '/api/households/import',
    headers: {
      cookie: agent.cookie,
      'x-csrf-token': agent.csrf,
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
    payload,
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const body = response.json<{ errorCount?: number; errors?: unknown[] }>();
  process.stdout.write(
    `${which}: upload ${(file.length / 1024).toFixed(0)} KB → HTTP ${response.statusCode}, ` +
      `response ${(response.rawPayload.length / 1024).toFixed(1)} KB, ${body.errors?.length ?? 0} errors listed of ` +
      `${body.errorCount ?? '?'}, ${seconds} s; peak RSS ${peakMb()} MB (${before} MB before the upload)\n`,
  );
  await app.close();
  await store.close();
}

const only = arg('--case');
const fileArg = arg('--file');
if (only && fileArg) {
  await runCase(only, fileArg);
} else {
  const self = fileURLToPath(import.meta.url);
  const dir = mkdtempSync(join(tmpdir(), 'mz-hostile-'));
  for (const which of only ? [only] : ['bomb', 'rows']) {
    const path = join(dir, `${which}.xlsx`);
    buildFile(which, path);
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', self, ...process.argv.slice(2), '--case', which, '--file', path],
      { stdio: 'inherit' },
    );
    if (run.status !== 0) process.exitCode = 1;
  }
  rmSync(dir, { recursive: true, force: true });
}
