import { describe, expect, it } from 'vitest';
import { HOUSEHOLD_EXAMPLES } from '../policy/examples.ts';
import { evaluateHousehold } from '../policy/index.ts';
import { gatherCalculation } from './calculation.data.ts';
import { calculationDocument } from './calculation.document.ts';
import type { DocumentBlock, PrintDocument } from './document.ts';
import { chineseDate, chineseMonth, fileNamePart, yuan } from './format.ts';
import type { InfoSheetData, InfoSheetMember } from './info-sheet.data.ts';
import { infoSheetDocument } from './info-sheet.document.ts';
import { issuerFor } from './issuer.ts';

const textOf = (doc: PrintDocument) => JSON.stringify(doc);
const tables = (doc: PrintDocument) =>
  doc.blocks.filter((b): b is Extract<DocumentBlock, { type: 'table' }> => b.type === 'table');

describe('document formats', () => {
  it('writes money from integer fen, dates and months in Chinese, safe file names', () => {
    expect(yuan(0)).toBe('0.00元');
    expect(yuan(279500)).toBe('2795.00元');
    expect(yuan(-5)).toBe('-0.05元');
    expect(chineseDate('2026-05-06')).toBe('2026年5月6日');
    expect(chineseMonth('2026-11')).toBe('2026年11月');
    expect(fileNamePart('KJ/0001:"x"')).toBe('KJ-0001-x-');
    expect(issuerFor('310110012001')).toBe('上海市杨浦区民政局');
    expect(issuerFor('310000')).toBe('上海市民政局');
    expect(issuerFor(null)).toBe('上海市民政局');
  });
});

describe('社会救助测算单', () => {
  const example = HOUSEHOLD_EXAMPLES.dibao.file;
  const data = gatherCalculation({
    month: example.month,
    asOf: '2026-11-05',
    household: example.household,
    source: { kind: 'manual' },
  });

  it('lists what the calculator returns: eligible programs first, amounts summed, reasons kept', () => {
    const evaluation = evaluateHousehold(example.household, example.month, { explain: true });
    const eligible = evaluation.results.filter((r) => r.eligible && !r.error);
    expect(eligible.length).toBeGreaterThan(0);
    expect(data.totalFen).toBe(eligible.reduce((sum, r) => sum + r.amountFen, 0));
    expect(data.programs).toHaveLength(evaluation.results.length);
    const firstOther = data.programs.findIndex((p) => p.outcome !== 'eligible');
    expect(data.programs.slice(0, firstOther).map((p) => p.program)).toEqual(eligible.map((r) => r.program));
    for (const line of data.programs) expect(line.reason.length).toBeGreaterThan(0);
    // Parameters are those of the eligible programs, once each, with a description and a source.
    const names = data.parameters.map((p) => p.parameter);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('dibao.standard');
    for (const p of data.parameters) expect(p.source.length).toBeGreaterThan(0);
  });

  it('says it is a 测算, not a decision, and shows the month, the total and the sources', () => {
    const doc = calculationDocument(data, { issuer: '上海市杨浦区民政局' });
    expect(doc.watermark).toBe('测算');
    expect(doc.subtitle).toContain('2026年11月');
    expect(doc.fileName).toBe('社会救助测算单-2026-11-手工录入');
    const text = textOf(doc);
    expect(text).toContain('不是救助审批决定');
    expect(text).toContain(yuan(data.totalFen));
    expect(text).toContain('按2026年11月1日有效的政策参数测算');
    const [members, results, parameters] = tables(doc);
    expect(members?.rows.map((r) => r[0])).toEqual(example.household.members.map((m) => m.name));
    expect(results?.rows.at(-1)?.slice(0, 3)).toEqual(['每月合计', '', yuan(data.totalFen)]);
    expect(parameters?.rows.length).toBe(data.parameters.length);
  });

  it('names members as the caller says (a registered household) and evaluates only the programs asked', () => {
    const named = gatherCalculation({
      month: example.month,
      asOf: '2026-11-05',
      household: example.household,
      source: { kind: 'registered', householdNo: 'KJ-0001', address: '控江路1号' },
      names: { m1: '张建国（户主）' },
      programs: ['dibao', 'grain_oil'],
    });
    expect(named.programs.map((p) => p.program).sort()).toEqual(['dibao', 'grain_oil']);
    expect(named.members[0]?.label).toBe('张建国（户主）');
    const doc = calculationDocument(named, { issuer: '上海市杨浦区民政局' });
    expect(doc.subtitle).toContain('户编号：KJ-0001');
    expect(textOf(doc)).toContain('控江路1号');
  });

  it('a household that qualifies for nothing lists no parameters and says so', () => {
    const rich = {
      ...example.household,
      monetaryAssetsFen: 900_000_000,
      members: example.household.members.map((m) => ({ ...m, wageFen: 5_000_000 })),
    };
    const none = gatherCalculation({
      month: example.month,
      asOf: '2026-11-05',
      household: rich,
      source: { kind: 'manual' },
      programs: ['dibao', 'dibao_edge'],
    });
    expect(none.totalFen).toBe(0);
    expect(none.parameters).toEqual([]);
    const doc = calculationDocument(none, { issuer: '上海市民政局' });
    expect(tables(doc).at(-1)).toMatchObject({ rows: [], empty: '（该户不符合任何项目，未列参数）' });
  });
});

describe('家庭基本信息表', () => {
  const member = (
    name: string,
    relationCode: string,
    relationName: string,
    masked: boolean,
  ): InfoSheetMember => ({
    personId: name,
    residenceDivisionCode: '310110012001',
    name,
    relationCode,
    relationName,
    sexName: '男性',
    birthDate: '1960-03-15',
    idNumber: masked ? '310110********0011' : '310110196003150011',
    idNumberMasked: masked,
    hukouPlace: '上海市杨浦区控江路街道',
    hukouKind: '本市户籍',
    validFrom: '2020-01-01',
    disability: null,
    categories: [],
    employed: true,
    seriousIllness: false,
    hasSupporter: true,
    wageFen: 300000,
    pensionFen: 0,
    otherIncomeFen: 1000,
  });
  const sheet = (members: InfoSheetMember[]): InfoSheetData => ({
    asOf: '2026-05-06',
    household: {
      districtCode: '310110',
      id: 'h',
      householdNo: 'KJ-0001',
      address: '控江路1号',
      committeeCode: '310110012001',
      districtName: '杨浦区',
      streetName: '控江路街道',
      committeeName: null,
    },
    economics: {
      monetaryAssetsFen: 1234500,
      vehicles: 0,
      homes: 1,
      perCapitaFloorAreaBelowAverage: false,
      medicalExpenseAnnualFen: 0,
      educationExpenseAnnualFen: 0,
    },
    members,
  });

  it('shows members with relation names and sums their monthly income', () => {
    const doc = infoSheetDocument(
      sheet([member('张三', '02', '户主', true), member('李四', '10', '配偶', true)]),
    );
    expect(doc.issuer).toBe('上海市杨浦区民政局');
    const [people, incomes] = tables(doc);
    expect(people?.rows.map((r) => r.slice(1, 4))).toEqual([
      ['张三', '户主', '男'],
      ['李四', '配偶', '男'],
    ]);
    expect(incomes?.rows[0]?.slice(-3)).toEqual(['3000.00元', '0.00元', '10.00元']);
    const text = textOf(doc);
    expect(text).toContain('6020.00元');
    expect(text).toContain('12345.00元');
    expect(text).toContain('"label":"居（村）委会","value":"—"');
    expect(text).toContain('只显示前六位与后四位');
  });

  it('says when ID numbers are shown in full, for all or some members', () => {
    const all = textOf(infoSheetDocument(sheet([member('张三', '02', '户主', false)])));
    expect(all).toContain('公民身份号码经授权完整显示，查看已记入审计日志');
    const some = textOf(
      infoSheetDocument(sheet([member('张三', '02', '户主', false), member('李四', '10', '配偶', true)])),
    );
    expect(some).toContain('1名成员的公民身份号码经授权完整显示，其余脱敏显示');
  });

  it('a household without current members still prints, saying so', () => {
    const doc = infoSheetDocument(sheet([]));
    expect(tables(doc)[0]).toMatchObject({ rows: [], empty: '（该户当前没有在册成员）' });
    expect(textOf(doc)).toContain('"label":"户主","value":"—"');
  });
});
