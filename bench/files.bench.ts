/**
 * Attachments benchmark: `npx tsx bench/files.bench.ts [--runs 5]` (with TEST_DATABASE_URL set, the
 * PostgreSQL server's bytea store too).
 *
 * Through the whole server (session, scope check, multipart, staging with SHA-256, type check, store, unit
 * of work with its audit row; then the audited download): uploads of distinct PDFs of 100 KB, 2 MB and
 * 20 MB (the default limit), and their downloads, --runs of each after one warm-up, median and MB/s; then
 * an upload of content already stored (stored once: only a new attachment row). Embedded PGlite with the
 * disk store under a temporary data directory; PostgreSQL with contents in file_blobs. The figures include
 * whatever else the machine is doing (its load average is printed first).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { openTestStore, serverUrl } from '../test/support/stores.ts';
import type { StoreKind } from '../src/db/store.ts';
import { pdfBytes } from '../src/files/files.fixtures.ts';
import { multipart } from '../src/http/multipart.fixtures.ts';
import { addUser, loginAs, seedTwoStreets, testServer, type Agent } from '../src/http/test-helpers.ts';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} 应为正整数`);
  return value;
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

let serial = 0;
/** A distinct PDF of exactly `bytes` bytes (distinct: no upload is answered by content already stored). */
function pdfOf(bytes: number): Buffer {
  serial++;
  const head = pdfBytes(`bench ${serial} ${Date.now()}`);
  return Buffer.concat([head, Buffer.alloc(bytes - head.length, 0x20)]);
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

async function run(kind: StoreKind, runs: number): Promise<void> {
  const { store, dispose } = await openTestStore(kind);
  const dataDir = mkdtempSync(join(tmpdir(), 'mz-files-bench-'));
  let app: FastifyInstance | undefined;
  try {
    app = await testServer(store, { MINZHENG_DATA_DIR: dataDir });
    const data = await seedTwoStreets(store);
    await addUser(store, 'bench', 'street_caseworker', '310110012');
    const agent: Agent = await loginAs(app, 'bench');
    const url = `/api/attachments/household/${data.a.householdId}`;
    const server = app;
    const upload = async (content: Buffer) => {
      const body = multipart({ name: '材料.pdf', content }, { kind: 'income' });
      const response = await server.inject({
        method: 'POST',
        url,
        headers: { cookie: agent.cookie, 'x-csrf-token': agent.csrf, ...body.headers },
        payload: body.payload,
      });
      if (response.statusCode !== 201) throw new Error(`upload: ${response.statusCode} ${response.body}`);
      return response.json<{ id: string }>().id;
    };
    const where = kind === 'pglite' ? 'PGlite，文件目录' : 'PostgreSQL，file_blobs';
    out(`\n${where}：`);
    out('  大小        上传（中位）   MB/s     下载（中位）   MB/s');
    for (const size of [100 * 1024, 2 * 1024 * 1024, 20 * 1024 * 1024]) {
      await upload(pdfOf(size)); // warm-up
      const ups: number[] = [];
      const downs: number[] = [];
      for (let i = 0; i < runs; i++) {
        const content = pdfOf(size);
        const up = await timed(() => upload(content));
        ups.push(up.ms);
        const down = await timed(() => agent.get(`${url}/${up.value}/content`));
        if (down.value.rawPayload.length !== content.length) throw new Error('download length differs');
        downs.push(down.ms);
      }
      const mb = size / 1024 / 1024;
      const label = size < 1024 * 1024 ? `${size / 1024} KB` : `${mb} MB`;
      out(
        `  ${label.padEnd(8)} ${median(ups).toFixed(1).padStart(10)} ms ${(mb / (median(ups) / 1000)).toFixed(0).padStart(7)}  ${median(downs).toFixed(1).padStart(12)} ms ${(mb / (median(downs) / 1000)).toFixed(0).padStart(7)}`,
      );
    }
    const again = pdfOf(2 * 1024 * 1024);
    await upload(again);
    const reused: number[] = [];
    for (let i = 0; i < runs; i++) reused.push((await timed(() => upload(again))).ms);
    out(`  已存内容再上传（2 MB，只新增附件记录）：中位 ${median(reused).toFixed(1)} ms`);
  } finally {
    await app?.close();
    await dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const runs = flag('runs', 5);
out(
  `负载 ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}（${cpus().length} 核），每项 ${runs} 次`,
);
await run('pglite', runs);
if (serverUrl()) await run('postgres', runs);
else out('\n（未设置 TEST_DATABASE_URL：跳过 PostgreSQL）');
