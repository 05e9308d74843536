import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileExchangeSource, batchFileName } from './file-exchange.source.ts';
import type { SourceBatch } from './source.ts';

const R1 = '11111111-1111-4111-8111-111111111111';
const R2 = '22222222-2222-4222-8222-222222222222';
const P1 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const P2 = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

const batch: SourceBatch = {
  source: 'tax',
  batchRef: 'job-1#3:tax',
  queries: [
    {
      districtCode: '310110',
      requestId: R1,
      requestNo: 'HD-310110-2026-000001',
      purpose: 'dibao',
      authorisationRefs: ['auth-1', 'auth-2'],
      asOf: '2026-11-20',
      persons: [
        { personId: P1, idNumber: '310110197003030011', name: '王大明' },
        { personId: P2, idNumber: '310110197205050022', name: '李, "小红"' },
      ],
    },
  ],
};

describe('file exchange source', () => {
  let root: string;
  let source: FileExchangeSource;
  const inbox = () => source.folder('inbox');
  const drop = async (name: string, text: string) => {
    await mkdir(inbox(), { recursive: true });
    await writeFile(join(inbox(), name), text);
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'mz-exchange-'));
    source = new FileExchangeSource('tax', join(root, 'tax'), { timeoutMs: 86_400_000, maxAttempts: 2 });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('writes one request file per batch (BOM, documented columns, quoted fields) and leaves the requests waiting', async () => {
    const outcome = await source.send(batch);
    expect(outcome.waiting).toEqual([R1]);
    expect(outcome.answered.size).toBe(0);
    const files = await readdir(source.folder('outbox'));
    expect(files).toEqual([batchFileName(batch.batchRef)]);
    expect(files[0]).toBe('job-1_3_tax.csv');
    const text = await readFile(join(source.folder('outbox'), files[0]!), 'utf8');
    expect(
      text.startsWith(
        '\uFEFFrequest_id,request_no,person_id,id_number,name,purpose,authorisation_ref,as_of\r\n',
      ),
    ).toBe(true);
    expect(text).toContain(
      `${R1},HD-310110-2026-000001,${P2},310110197205050022,"李, ""小红""",dibao,auth-1;auth-2,2026-11-20\r\n`,
    );
    // The same batch again writes the same file, once.
    await source.send(batch);
    expect(await readdir(source.folder('outbox'))).toEqual(files);
  });

  it('reads CSV and JSON answers by request, with nothing-on-record rows, and moves consumed files to done/', async () => {
    await drop(
      'a.csv',
      `\uFEFFrequest_id,person_id,kind,value,reference\r\n${R1},${P1},wage,520000,税-001\r\n${R1},${P2},other_income,0,税-002\r\n`,
    );
    await drop(
      'b.json',
      JSON.stringify({
        answers: [{ request_id: R2, person_id: P1, kind: 'none', value: '', reference: '税-003' }],
      }),
    );
    await drop('ignored.txt', 'not an answer file');
    const collected = await source.collect();
    expect(collected.problems).toEqual([]);
    expect(collected.files).toEqual(['a.csv', 'b.json']);
    expect(collected.answered.get(R1)).toEqual([
      { requestId: R1, personId: P1, kind: 'wage', amountFen: 520000, reference: '税-001' },
      { requestId: R1, personId: P2, kind: 'other_income', amountFen: 0, reference: '税-002' },
    ]);
    expect(collected.answered.get(R2)).toEqual([]);
    await source.acknowledge(collected.files);
    expect(await readdir(inbox())).toEqual(['ignored.txt']);
    expect((await readdir(source.folder('done'))).sort()).toEqual(['a.csv', 'b.json']);
    // Acknowledging again (another job moved them first) is harmless.
    await source.acknowledge(collected.files);
  });

  it('refuses a malformed file whole, naming the file and line, and moves it to rejected/', async () => {
    await drop(
      'bad.csv',
      `request_id,person_id,kind,value,reference\n${R1},${P1},wage,5200.50,x\n${R1},${P1},homes,1,x\nnot-a-uuid,${P1},wage,1,x\n`,
    );
    await drop('good.csv', `request_id,person_id,kind,value,reference\n${R2},${P2},wage,100,y\n`);
    await drop('short.csv', `request_id,person_id,kind\n${R1},${P1},wage\n`);
    await drop('broken.json', '{"answers": [');
    const collected = await source.collect();
    expect(collected.answered.has(R1)).toBe(false);
    expect(collected.answered.get(R2)).toHaveLength(1);
    expect(collected.problems).toEqual(
      expect.arrayContaining([
        '文件 bad.csv 第 2 行：工资性收入（月）的取值「5200.50」应为不带小数的非负整数（分）',
        '文件 bad.csv 第 3 行：类别「homes」不是税务部门答复的类别（应为 wage、other_income 或 none）',
        '文件 bad.csv 第 4 行：request_id「not-a-uuid」不是有效的委托编号（UUID）',
        '文件 bad.csv 格式有误，已整体拒收（移至 rejected/），未登记其中任何答复',
        '文件 short.csv 第 1 行（表头）缺少列：value、reference',
        '文件 broken.json 不是有效的 JSON',
      ]),
    );
    await source.acknowledge(collected.files);
    expect((await readdir(source.folder('rejected'))).sort()).toEqual([
      'bad.csv',
      'broken.json',
      'short.csv',
    ]);
    expect(await readdir(source.folder('done'))).toEqual(['good.csv']);
  });

  it('refuses a file that is not UTF-8 (Excel saving GBK)', async () => {
    await mkdir(inbox(), { recursive: true });
    const gbk = Buffer.concat([
      Buffer.from(`request_id,person_id,kind,value,reference\n${R1},${P1},wage,1,`),
      Buffer.from([0xb0, 0xa1]),
    ]);
    await writeFile(join(inbox(), 'gbk.csv'), gbk);
    const collected = await source.collect();
    expect(collected.answered.size).toBe(0);
    expect(collected.problems[0]).toMatch(/^文件 gbk.csv 无法读取：.*（应为 UTF-8 编码的 CSV）$/);
  });

  it('has nothing to collect before the agency made its folder', async () => {
    expect(await source.collect()).toEqual({
      answered: new Map(),
      failed: new Map(),
      problems: [],
      files: [],
    });
  });
});
