import { fields, heading, paragraphs, signatures, table, type PrintDocument } from './document.ts';
import { GAP, SPACE, chineseDate, DASH, fileNamePart, orDash, yesNo, yuan } from './format.ts';
import type { InfoSheetData } from './info-sheet.data.ts';
import { issuerFor } from './issuer.ts';

function idNumberNote(full: number, all: number): string {
  if (full === 0) return '公民身份号码按规定脱敏显示（只显示前六位与后四位）。';
  const shown =
    full === all ? '公民身份号码经授权完整显示' : `${full}名成员的公民身份号码经授权完整显示，其余脱敏显示`;
  return `${shown}，查看已记入审计日志；请妥善保管本表，用后按规定处理。`;
}

/** 家庭基本信息表: a household's sheet, from `gatherInfoSheet` (info-sheet.data.ts). */
export function infoSheetDocument(data: InfoSheetData): PrintDocument {
  const { household: h, economics: e, members } = data;
  const head = members.find((m) => m.relationCode === '02');
  const monthlyIncome = members.reduce((sum, m) => sum + m.wageFen + m.pensionFen + m.otherIncomeFen, 0);
  return {
    kind: 'household.info_sheet',
    issuer: issuerFor(h.committeeCode),
    title: '家庭基本信息表',
    subtitle: `户编号：${h.householdNo}${GAP}信息截至：${chineseDate(data.asOf)}`,
    blocks: [
      heading('一、家庭户'),
      fields(2, [
        { label: '户编号', value: h.householdNo },
        { label: '户主', value: orDash(head?.name) },
        { label: '区', value: orDash(h.districtName) },
        { label: '街道（镇）', value: orDash(h.streetName) },
        { label: '居（村）委会', value: orDash(h.committeeName) },
        { label: '家庭人口', value: `${members.length}人` },
        { label: '住址', value: h.address, span: true },
      ]),
      heading('二、家庭成员'),
      table(
        [
          { header: '序号', width: 0.65, align: 'center' },
          { header: '姓名', width: 1 },
          { header: '与户主关系', width: 1.3 },
          { header: '性别', width: 0.6, align: 'center' },
          { header: '出生日期', width: 1.35 },
          { header: '公民身份号码', width: 2.6 },
          { header: '户籍地', width: 2.45 },
        ],
        members.map((m, i) => [
          String(i + 1),
          m.name,
          m.relationName,
          m.sexName.replace(/性$/, ''),
          m.birthDate,
          m.idNumber,
          m.hukouPlace,
        ]),
        { empty: '（该户当前没有在册成员）' },
      ),
      heading('三、成员就业、健康与收入'),
      table(
        [
          { header: '姓名', width: 1.1 },
          { header: '就业', width: 0.6, align: 'center' },
          { header: '残疾', width: 1.3 },
          { header: '重病', width: 0.6, align: 'center' },
          { header: '特殊类别', width: 1.5 },
          { header: '月工资', width: 1.1, align: 'right' },
          { header: '月养老金', width: 1.1, align: 'right' },
          { header: '其他月收入', width: 1.2, align: 'right' },
        ],
        members.map((m) => [
          m.name,
          yesNo(m.employed),
          orDash(m.disability),
          yesNo(m.seriousIllness),
          m.categories.length ? m.categories.join('、') : DASH,
          yuan(m.wageFen),
          yuan(m.pensionFen),
          yuan(m.otherIncomeFen),
        ]),
        { empty: '（无）' },
      ),
      heading('四、家庭经济状况'),
      fields(2, [
        { label: '成员月收入合计', value: yuan(monthlyIncome) },
        { label: '货币财产', value: yuan(e.monetaryAssetsFen) },
        { label: '机动车', value: `${e.vehicles}辆` },
        { label: '住房', value: `${e.homes}套` },
        { label: '人均住房面积低于平均', value: yesNo(e.perCapitaFloorAreaBelowAverage) },
        { label: '年医疗支出', value: yuan(e.medicalExpenseAnnualFen) },
        { label: '年教育支出', value: yuan(e.educationExpenseAnnualFen) },
      ]),
      paragraphs(
        [
          `说明：本表依据人口信息库截至${chineseDate(data.asOf)}的登记信息生成；收入与财产为登记的现值，未经核对，不作为救助审批的依据。`,
          idNumberNote(members.filter((m) => !m.idNumberMasked).length, members.length),
          '与户主关系按 GB/T 4761《家庭关系代码》填写。',
        ],
        { style: 'note', numbered: true },
      ),
      signatures([{ label: '户主（申请人）签字' }, { label: '经办人' }, { label: '日期' }]),
    ],
    footer: `打印日期：${chineseDate(data.asOf)}${SPACE}智慧民政`,
    fileName: `家庭基本信息表-${fileNamePart(h.householdNo)}`,
  };
}
