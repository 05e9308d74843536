import {
  fields,
  heading,
  paragraphs,
  table,
  type DocumentBlock,
  type PrintDocument,
} from '../documents/document.ts';
import { chineseDate, fileNamePart, GAP, orDash, SPACE } from '../documents/format.ts';
import { issuerFor } from '../documents/issuer.ts';
import {
  ARCHIVE_EMPTY,
  ARCHIVE_KIND_NAMES,
  ARCHIVE_KINDS,
  type ArchiveItem,
  type ArchiveView,
} from './archive.types.ts';

/**
 * The whole archive as one printable document (src/documents: the same A4 layout and fonts as the notices and
 * the verification report): the recipient, then one section per kind, each item in date order with its
 * fields, its sub-entries and its note; an empty section says so in a sentence.
 */

function itemBlocks(item: ArchiveItem): DocumentBlock[] {
  const blocks: DocumentBlock[] = [
    paragraphs([`${chineseDate(item.date)}${SPACE}${item.title}`]),
    fields(
      2,
      item.fields.map((f) => ({
        label: f.label,
        value: f.value,
        ...(f.value.length > 24 ? { span: true } : {}),
      })),
    ),
  ];
  if (item.entries.length > 0) {
    blocks.push(
      table(
        [
          { header: '日期', width: 1 },
          { header: '记录', width: 5 },
        ],
        item.entries.map((e) => [e.date, e.text]),
        { small: true },
      ),
    );
  }
  if (item.note) blocks.push(paragraphs([item.note], { style: 'note' }));
  return blocks;
}

export function archiveDocument(view: ArchiveView, printedOn: string): PrintDocument {
  const r = view.recipient;
  const blocks: DocumentBlock[] = [
    heading(r.kind === 'household' ? '救助对象（家庭）' : '救助对象（个人）'),
    fields(2, [
      { label: r.kind === 'household' ? '户主' : '姓名', value: r.name },
      ...(r.idNumberMasked ? [{ label: '身份证号', value: r.idNumberMasked }] : []),
      { label: '户编号', value: orDash(r.householdNo) },
      { label: '所属区划', value: r.divisionName, span: true },
      ...(r.address ? [{ label: '住址', value: r.address, span: true }] : []),
    ]),
  ];
  if (r.members.length > 0) {
    blocks.push(
      table(
        [{ header: '姓名' }, { header: '与户主关系' }, { header: '身份证号', width: 2 }],
        r.members.map((m) => [m.name, m.relationName, m.idNumberMasked]),
      ),
    );
  }
  blocks.push(
    table(
      [{ header: '类别' }, { header: '记录数', align: 'right' }],
      ARCHIVE_KINDS.map((k) => [ARCHIVE_KIND_NAMES[k], String(view.counts[k])]),
    ),
  );
  for (const kind of ARCHIVE_KINDS) {
    blocks.push(heading(ARCHIVE_KIND_NAMES[kind]));
    const items = view.items.filter((i) => i.kind === kind);
    if (items.length === 0) blocks.push(paragraphs([ARCHIVE_EMPTY[kind]], { style: 'note' }));
    for (const item of items) blocks.push(...itemBlocks(item));
  }
  blocks.push(
    paragraphs(
      [
        `身份证号已脱敏；收款账号${view.accountsUnmasked ? '为完整号码，请妥善保管' : '已脱敏'}。本档案由系统根据业务记录生成，` +
          '记录以系统中的原件为准。',
      ],
      { style: 'note' },
    ),
  );
  return {
    kind: 'archive.recipient',
    issuer: issuerFor(r.districtCode),
    title: '救助对象电子档案',
    subtitle: `${r.name}${r.kind === 'household' ? '户' : ''}${r.householdNo ? `${GAP}户编号 ${r.householdNo}` : ''}`,
    blocks,
    footer: `打印日期：${chineseDate(printedOn)}`,
    fileName: `电子档案-${fileNamePart(r.name)}`,
  };
}
