import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'mz-calendar-cli-'));
const files = mkdtempSync(join(tmpdir(), 'mz-calendar-files-'));

function minzheng(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const { DATABASE_URL: _server, ...env } = process.env;
  const run = spawnSync(process.execPath, ['bin/minzheng', ...args], {
    env: { ...env, MINZHENG_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function file(name: string, text: string): string {
  const path = join(files, name);
  writeFileSync(path, text);
  return path;
}

const notice2027 = {
  year: 2027,
  source: '国务院办公厅关于2027年部分节假日安排的通知（测试用）',
  holidays: [
    { name: '元旦', from: '2027-01-01', to: '2027-01-03' },
    { name: '春节', from: '2027-02-05', to: '2027-02-13' },
    { name: '清明节', from: '2027-04-03', to: '2027-04-05' },
    { name: '劳动节', from: '2027-05-01', to: '2027-05-05' },
    { name: '端午节', from: '2027-06-09' },
    { name: '中秋节', from: '2027-09-15' },
    { name: '国庆节', from: '2027-10-01', to: '2027-10-07' },
  ],
  workdays: [
    { name: '春节', date: '2027-01-31' },
    { name: '春节', date: '2027-02-14' },
    { name: '劳动节', date: '2027-05-08' },
    { name: '国庆节', date: '2027-09-26' },
    { name: '国庆节', date: '2027-10-09' },
  ],
};

describe('minzheng calendar', () => {
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(files, { recursive: true, force: true });
  });

  it('refuses a bad year or a bad file in Chinese before opening anything', () => {
    const early = minzheng('calendar', 'import', '1999', file('x.json', '{}'));
    expect(early.status).toBe(1);
    expect(early.stderr).toBe('错误：年份 1999 超出工作日历的范围（2004—2099 年）\n');
    const word = minzheng('calendar', 'show', 'next');
    expect(word.stderr).toBe('错误：年份应为四位数字：next\n');
    const notJson = minzheng('calendar', 'import', '2027', file('broken.json', '{ "holidays": [ '));
    expect(notJson.status).toBe(1);
    expect(notJson.stderr).toMatch(/^错误：文件不是有效的 JSON：/);
    const header = minzheng('calendar', 'import', '2027', file('bad.csv', '日期,名称\n2027-01-01,元旦\n'));
    expect(header.stderr).toBe(
      '错误：CSV 文件格式错误：第 1 行：表头应为“类型,开始日期,结束日期,名称”，实为“日期,名称”\n',
    );
    const otherYear = minzheng('calendar', 'import', '2028', file('2027.json', JSON.stringify(notice2027)));
    expect(otherYear.stderr).toBe('错误：文件与年份不符：year：文件写的是 2027 年，命令要导入的是 2028 年\n');
    const missing = minzheng('calendar', 'import', '2027', join(files, 'nowhere.json'));
    expect(missing.stderr).toContain('文件或目录不存在');
    for (const run of [early, word, notJson, header, otherYear, missing]) expect(run.stdout).toBe('');
  });

  it('shows a provisional year, refuses a file with errors writing nothing, then imports JSON and CSV', () => {
    const shown = minzheng('calendar', 'show', '2027');
    expect(shown.stderr).toBe('');
    expect(shown.stdout).toContain('2027 年工作日历（暂定）');
    expect(shown.stdout).toMatch(/国庆节\s+2027-10-01（周五） 至 2027-10-07（周四）\s+7/);
    expect(shown.stdout).toContain('请用 calendar import 导入');

    const wrong = {
      ...notice2027,
      holidays: [...notice2027.holidays, { name: '国庆节', from: '2027-10-07', to: '2027-10-01' }],
      workdays: [{ name: '国庆节', date: '2027-10-08' }],
    };
    const refused = minzheng('calendar', 'import', '2027', file('wrong.json', JSON.stringify(wrong)));
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      '错误：2027 年工作日历有错误，未保存任何内容：holidays[7].to：结束日期 2027-10-01 早于开始日期 2027-10-07；workdays[0].date：调休上班日应为周六或周日，2027-10-08 是周五\n',
    );

    const imported = minzheng(
      'calendar',
      'import',
      '2027',
      file('2027.json', JSON.stringify(notice2027)),
      '--reason',
      '国务院办公厅公布',
    );
    expect(imported.stderr).toBe('');
    // "原为暂定": the refused file before it wrote nothing.
    expect(imported.stdout).toBe('已导入 2027 年工作日历：34 天（放假与调休上班），第 1 版（原为暂定）\n');

    const csv = [
      '类型,开始日期,结束日期,名称',
      '放假,2028-01-01,2028-01-03,元旦',
      '放假,2028-01-25,2028-02-01,春节',
      '上班,2028-01-23,,春节',
      '放假,2028-04-02,2028-04-04,清明节',
      '放假,2028-04-29,2028-05-03,劳动节',
      '放假,2028-05-28,2028-05-30,端午节',
      '放假,2028-10-01,2028-10-08,国庆节',
      '',
    ].join('\n');
    const fromCsv = minzheng(
      'calendar',
      'import',
      '2028',
      file('2028.csv', csv),
      '--source',
      '国务院办公厅关于2028年部分节假日安排的通知（测试用）',
    );
    expect(fromCsv.status).toBe(0);
    expect(fromCsv.stdout).toBe('已导入 2028 年工作日历：31 天（放假与调休上班），第 1 版（原为暂定）\n');
    // 中秋节 2028 is 3 October, among the 国庆节 days off: every statutory day is there, no warning.
    expect(fromCsv.stderr).toBe('');
  }, 300_000);
});
