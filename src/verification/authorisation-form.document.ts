import { fields, heading, paragraphs, signatures, table, type PrintDocument } from '../documents/document.ts';
import { chineseDate, GAP } from '../documents/format.ts';
import { issuerFor } from '../documents/issuer.ts';
import { SOURCES, LOCAL_SOURCE_CODES } from './sources/catalogue.ts';

/** What the 授权书 names: the household, the purpose, the adults who sign, and how long it holds. */
export interface AuthorisationFormData {
  committeeCode: string;
  householdNo: string;
  address: string;
  purposeName: string;
  /** The adults who must sign (name, relation to the head, masked ID number). */
  signers: { name: string; relationName: string; idNumberMasked: string }[];
  /** Days a dated authorisation holds (the parameter in force); ignored when standing. */
  validDays: number;
  standing: boolean;
  printedOn: string;
}

/**
 * 居民家庭经济状况核对授权书, printed for the household to sign at the counter: what the centre will ask and
 * of whom, for what, for how long, and one signature line per adult. The signed paper is then uploaded as
 * the household's attachment (kind 授权书) and registered.
 */
export function authorisationFormDocument(data: AuthorisationFormData): PrintDocument {
  const agencies = LOCAL_SOURCE_CODES.map((code) => SOURCES[code].name).join('、');
  const period = data.standing
    ? '本授权自签署之日起，在所申请的救助待遇存续期间持续有效（用于定期复核）；家庭成员变化时，新增成年成员另行签署。'
    : `本授权自签署之日起 ${data.validDays} 日内有效。`;
  return {
    kind: 'verification.authorisation_form',
    issuer: issuerFor(data.committeeCode),
    title: '居民家庭经济状况核对授权书',
    subtitle: `户编号：${data.householdNo}${GAP}核对用途：${data.purposeName}`,
    blocks: [
      fields(1, [{ label: '家庭住址', value: data.address, span: true }]),
      paragraphs([
        `本人及共同生活的家庭成员因申请「${data.purposeName}」，自愿授权民政部门及其居民经济状况核对机构，向${agencies}等单位查询、核对本人及家庭成员的收入、财产及相关信息。`,
        '上述单位据此提供的信息仅用于本次申请及其后的定期复核，民政部门依法为本人及家庭成员的个人信息保密。',
        period,
        '本人承诺所申报的家庭收入、财产等情况真实、完整；如有隐瞒、虚报，愿承担相应法律责任。',
      ]),
      heading('授权人签名（年满十八周岁的家庭成员均须本人签名）'),
      table(
        [
          { header: '姓名', width: 1.2 },
          { header: '与户主关系', width: 1.2 },
          { header: '公民身份号码', width: 2.4 },
          { header: '本人签名', width: 1.6 },
          { header: '签署日期', width: 1.4 },
        ],
        data.signers.map((s) => [s.name, s.relationName, s.idNumberMasked, '', '']),
        { empty: '（该户今天没有年满十八周岁的在册成员）' },
      ),
      signatures([{ label: '受理人' }, { label: '受理日期' }]),
    ],
    footer: `打印日期：${chineseDate(data.printedOn)}`,
    fileName: `核对授权书-${data.householdNo}`,
  };
}
