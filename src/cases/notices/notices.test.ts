import { describe, expect, it } from 'vitest';
import type { DocumentBlock, PrintDocument } from '../../documents/document.ts';
import { inspectPdf } from '../../documents/pdf-inspect.test-helpers.ts';
import { renderPdf } from '../../documents/pdf.renderer.ts';
import { caseNoticeDocument, publicityListDocument } from './index.ts';
import { groupedYuan, remedyPeriods, streetOffice } from './notice.format.ts';
import { acceptance, approval, denial, nonAcceptance, publicity } from './notices.fixtures.ts';

/** The PDF's text, one string (pages joined), with the spaces pdfmake puts between runs removed. */
async function pdfText(doc: PrintDocument): Promise<string> {
  const read = inspectPdf(await renderPdf(doc));
  expect(read.header).toMatch(/^%PDF-/);
  const text = read.pages.join('\n');
  expect(text).not.toContain('\ufffd');
  return text.replace(/\s+/g, '');
}

const tableOf = (doc: PrintDocument) =>
  doc.blocks.find((b): b is Extract<DocumentBlock, { type: 'table' }> => b.type === 'table');

describe('notice formats', () => {
  it('groups yuan by thousands from integer fen', () => {
    expect(groupedYuan(0)).toBe('0.00元');
    expect(groupedYuan(99_999)).toBe('999.99元');
    expect(groupedYuan(100_000)).toBe('1,000.00元');
    expect(groupedYuan(123_456_789_01)).toBe('123,456,789.01元');
    expect(groupedYuan(-1_234_567)).toBe('-12,345.67元');
  });

  it('names a street office and a town government as issuers', () => {
    expect(streetOffice('310110012001')).toBe('上海市杨浦区人民政府控江路街道办事处');
    expect(streetOffice('310112102')).toBe('上海市闵行区七宝镇人民政府');
    expect(() => streetOffice('310110')).toThrow('不是本市的街道');
  });

  it('reads the time limits for review and litigation in force on the decision day', () => {
    expect(remedyPeriods('2026-12-15')).toEqual({ reviewDays: 60, litigationMonths: 6 });
    // Before the 2014 revision of the Administrative Procedure Law took effect: three months.
    expect(remedyPeriods('2015-04-30')).toEqual({ reviewDays: 60, litigationMonths: 3 });
    expect(remedyPeriods('2015-05-01').litigationMonths).toBe(6);
    expect(() => remedyPeriods('1990-01-01')).toThrow('尚无取值');
  });
});

describe('受理通知书', () => {
  it('names the case, applicant, programs, the steps ahead and the due date; the street issues it', async () => {
    const doc = caseNoticeDocument({ kind: 'acceptance', data: acceptance });
    expect(doc.issuer).toBe('上海市杨浦区人民政府控江路街道办事处');
    expect(doc.fileName).toBe('受理通知书-SA-310110-2026-000123');
    const text = await pdfText(doc);
    for (const expected of [
      '上海市杨浦区人民政府控江路街道办事处',
      '社会救助申请受理通知书',
      'SA-310110-2026-000123',
      '王建国：',
      '310110********1234',
      '上海市杨浦区控江路1000弄12号301室',
      '最低生活保障、粮油帮困',
      '2026年11月23日予以受理',
      '家庭经济状况核对、入户调查、民主评议、公示、审批',
      '于2026年12月21日前作出决定',
      '申请书、户口簿、身份证、核对授权书',
      '021-65430000',
    ]) {
      expect(text, expected).toContain(expected);
    }
  });

  it('leaves out what was not given (no ID number, no steps, no materials)', () => {
    const doc = caseNoticeDocument({
      kind: 'acceptance',
      data: {
        ...acceptance,
        applicantIdNumber: undefined,
        nextSteps: [],
        materials: undefined,
        contactPhone: undefined,
      },
    });
    const text = JSON.stringify(doc.blocks);
    expect(text).not.toContain('公民身份号码');
    expect(text).not.toContain('已收材料');
    expect(text).not.toContain('联系电话');
    expect(text).toContain('本机关将于2026年12月21日前作出决定');
  });
});

describe('不予受理通知书', () => {
  it('gives the reasons, the right to apply again and the time limits for review and litigation', async () => {
    const text = await pdfText(caseNoticeDocument({ kind: 'non-acceptance', data: nonAcceptance }));
    for (const expected of [
      '社会救助申请不予受理通知书',
      '决定不予受理',
      '申请人户籍不在本街道',
      '可以重新提出申请',
      '60日内向上海市杨浦区人民政府申请行政复议',
      '6个月内依法向人民法院提起行政诉讼',
    ]) {
      expect(text, expected).toContain(expected);
    }
  });

  it('prints the time limit in force on the day decided, and refuses a notice without reasons', () => {
    const old = JSON.stringify(
      caseNoticeDocument({ kind: 'non-acceptance', data: { ...nonAcceptance, decidedOn: '2014-06-10' } })
        .blocks,
    );
    expect(old).toContain('3个月内依法向人民法院提起行政诉讼');
    expect(() =>
      caseNoticeDocument({ kind: 'non-acceptance', data: { ...nonAcceptance, reasons: [] } }),
    ).toThrow('须写明理由');
  });
});

describe('审批通知书 / 确认通知书', () => {
  it('lists each granted program with amount, schedule and start month, the monthly total and the payee', async () => {
    const doc = caseNoticeDocument({ kind: 'approval', data: approval });
    expect(doc.issuer).toBe('上海市杨浦区民政局');
    expect(doc.title).toBe('社会救助审批通知书');
    expect(tableOf(doc)?.rows).toEqual([
      ['最低生活保障', '全户', '2,840.00元/月', '按月发放', '2026年12月', '—'],
      ['粮油帮困', '王建国', '40.00元/月', '按月发放', '2026年12月', '—'],
      ['临时救助', '全户', '12,345.00元（一次性）', '一次性发放', '2026年12月', '2026年12月'],
      ['按月发放合计', '', '2,880.00元/月', '', '', ''],
    ]);
    const text = await pdfText(doc);
    for (const expected of [
      '社会救助审批通知书',
      '2026年12月15日决定予以批准',
      '最低生活保障全户2,840.00元/月按月发放2026年12月',
      '12,345.00元（一次性）',
      '2,880.00元/月',
      '最低生活保障全户王建国上海农村商业银行6222********1234',
      '60日内向上海市杨浦区人民政府申请行政复议',
    ]) {
      expect(text, expected).toContain(expected.replace(/\s+/g, ''));
    }
  });

  it('is a 确认通知书 issued by the street when the street decides', () => {
    const doc = caseNoticeDocument({ kind: 'approval', data: { ...approval, authority: 'street' } });
    expect(doc.title).toBe('社会救助确认通知书');
    expect(doc.issuer).toBe('上海市杨浦区人民政府控江路街道办事处');
    expect(doc.fileName).toBe('确认通知书-SA-310110-2026-000123');
    expect(JSON.stringify(doc.blocks)).toContain('决定予以确认');
  });

  it('names a status granted without payment, outside the monthly total', () => {
    const status = { programName: '低收入困难家庭', amountFen: 0, schedule: null, startMonth: '2026-12' };
    const doc = caseNoticeDocument({
      kind: 'approval',
      data: { ...approval, lines: [approval.lines[0]!, status] },
    });
    expect(tableOf(doc)?.rows.slice(1)).toEqual([
      ['低收入困难家庭', '全户', '—', '资格认定，不发放', '2026年12月', '—'],
      ['按月发放合计', '', '2,840.00元/月', '', '', ''],
    ]);
  });

  it('prints no monthly total when nothing is monthly, and refuses a notice without programs', () => {
    const oneOff = approval.lines.filter((l) => l.schedule === 'once');
    const doc = caseNoticeDocument({
      kind: 'approval',
      data: { ...approval, lines: oneOff },
    });
    expect(tableOf(doc)?.rows).toHaveLength(1);
    expect(JSON.stringify(doc.blocks)).not.toContain('账户');
    expect(() => caseNoticeDocument({ kind: 'approval', data: { ...approval, lines: [] } })).toThrow();
  });
});

describe('不予批准通知书', () => {
  it('lists each denied program with its reasons and the right to review and litigation', async () => {
    const text = await pdfText(caseNoticeDocument({ kind: 'denial', data: denial }));
    for (const expected of [
      '社会救助不予批准通知书',
      '上海市杨浦区民政局',
      '特困人员救助供养',
      '1.申请人有法定赡养人且赡养人具有赡养能力。',
      '2.申请人具有劳动能力。',
      '60日内向上海市杨浦区人民政府申请行政复议',
      '6个月内依法向人民法院提起行政诉讼',
    ]) {
      expect(text, expected).toContain(expected);
    }
  });

  it('a street says 不予确认; a program without reasons is refused', () => {
    const doc = caseNoticeDocument({ kind: 'denial', data: { ...denial, authority: 'street' } });
    expect(doc.title).toBe('社会救助不予确认通知书');
    const bare = { ...denial, lines: [{ programName: '特困人员救助供养', reasons: [] }] };
    expect(() => caseNoticeDocument({ kind: 'denial', data: bare })).toThrow('须写明特困人员救助供养的理由');
  });
});

describe('公示名单', () => {
  it('shows masked names, street, committee, programs and grouped amounts; never a full name', async () => {
    const doc = publicityListDocument(publicity);
    expect(doc.issuer).toBe('上海市杨浦区人民政府控江路街道办事处');
    expect(tableOf(doc)?.rows.map((r) => r.slice(1, 4))).toEqual([
      ['王*国', '控江路街道', '控一居委会'],
      ['欧阳*明', '控江路街道', '欣辉居委会'],
      ['李*', '控江路街道', '控一居委会'],
    ]);
    const text = await pdfText(doc);
    for (const expected of [
      '社会救助对象公示名单',
      '公示期：2026年12月2日至2026年12月8日',
      '王*国控江路街道控一居委会3最低生活保障、粮油帮困2,880.00元',
      '12,345.67元',
      '控江路街道社区事务受理服务中心',
      '021-65430000',
    ]) {
      expect(text, expected).toContain(expected);
    }
    for (const full of ['王建国', '欧阳小明', '李娜']) expect(text).not.toContain(full);
  });

  it('shows each household’s own period when one differs from the list’s', () => {
    const later = { ...publicity.rows[0]!, from: '2026-12-04', to: '2026-12-10' };
    const doc = publicityListDocument({ ...publicity, to: '2026-12-10', rows: [later, publicity.rows[1]!] });
    expect(tableOf(doc)?.columns.at(-1)?.header).toBe('公示期');
    expect(tableOf(doc)?.rows.map((r) => r.at(-1))).toEqual([
      '2026年12月4日至2026年12月10日',
      '2026年12月2日至2026年12月10日',
    ]);
    expect(JSON.stringify(doc.blocks)).toContain('各户的公示期见表');
    expect(tableOf(publicityListDocument(publicity))?.columns.at(-1)?.header).toBe('月救助金额');
  });

  it('covers a whole district under the bureau, says when nobody is listed, refuses a committee', () => {
    const district = publicityListDocument({ ...publicity, divisionCode: '310110', rows: [] });
    expect(district.issuer).toBe('上海市杨浦区民政局');
    expect(tableOf(district)?.empty).toBe('（本期没有公示对象）');
    expect(() => publicityListDocument({ ...publicity, divisionCode: '310110012001' })).toThrow(
      '应为本市的区或街道',
    );
  });
});
