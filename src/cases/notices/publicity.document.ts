import { issuerFor } from '../../documents/issuer.ts';
import { heading, paragraphs, table, type PrintDocument } from '../../documents/document.ts';
import { chineseDate, DASH, fileNamePart, GAP } from '../../documents/format.ts';
import { divisionIndex } from '../../registry/divisions.ts';
import { maskName } from './mask-name.ts';
import { committeeName, groupedYuan, sealLine, streetName, streetOffice } from './notice.format.ts';
import type { PublicityListData } from './notice.types.ts';

/**
 * 公示名单: the households proposed for assistance in a street (or a whole district), posted for the
 * publicity period. It is public: names are masked here (the caller passes full names), no ID number, no
 * address beyond the committee. Issued by the street office, or the district bureau for a district's list.
 */
export function publicityListDocument(data: PublicityListData): PrintDocument {
  const area = divisionIndex().get(data.divisionCode);
  if (!area || (area.level !== 'street' && area.level !== 'district')) {
    throw new Error(`公示名单的范围 ${data.divisionCode} 应为本市的区或街道（镇）`);
  }
  const issuer = area.level === 'street' ? streetOffice(area.code) : issuerFor(area.code);
  const period = `${chineseDate(data.from)}至${chineseDate(data.to)}`;
  // Households whose publicity started on other days each show their own period.
  const ownPeriods = data.rows.some(
    (r) => (r.from ?? data.from) !== data.from || (r.to ?? data.to) !== data.to,
  );
  return {
    kind: 'cases.notice.publicity',
    issuer,
    title: '社会救助对象公示名单',
    subtitle: `${area.name}${GAP}公示期：${period}`,
    blocks: [
      paragraphs([
        `根据社会救助审核审批的有关规定，现将${area.name}拟给予社会救助的家庭予以公示。公示期为${period}${ownPeriods ? '（各户的公示期见表）' : ''}。`,
      ]),
      table(
        [
          { header: '序号', width: 0.6, align: 'center' },
          { header: '申请人', width: 1.1 },
          { header: '街道（镇）', width: 1.4 },
          { header: '居（村）委会', width: 1.6 },
          { header: '家庭人数', width: 0.9, align: 'center' },
          { header: '救助项目', width: 2.4 },
          { header: '月救助金额', width: 1.4, align: 'right' },
          ...(ownPeriods ? [{ header: '公示期', width: 1.8 }] : []),
        ],
        data.rows.map((r, i) => [
          String(i + 1),
          maskName(r.name),
          streetName(r.committeeCode),
          committeeName(r.committeeCode),
          r.householdSize === undefined ? DASH : String(r.householdSize),
          r.programs.join('、'),
          r.amountFen === null ? DASH : groupedYuan(r.amountFen),
          ...(ownPeriods ? [`${chineseDate(r.from ?? data.from)}至${chineseDate(r.to ?? data.to)}`] : []),
        ]),
        { empty: '（本期没有公示对象）' },
      ),
      heading('异议反映'),
      paragraphs([
        `公示期间，对公示对象有异议的，请向${data.objectionPlace}反映${data.contact ? `，联系电话：${data.contact}` : ''}。`,
        '请如实反映并说明理由；民政部门将对反映的情况进行核实，并依法为反映人保密。',
        '本名单仅用于社会救助公示，任何单位和个人不得用于其他用途。',
      ]),
      sealLine(issuer, data.from, '公示单位'),
    ],
    footer: `打印日期：${chineseDate(data.printedOn)}`,
    fileName: `公示名单-${fileNamePart(area.name)}-${data.from}`,
  };
}
