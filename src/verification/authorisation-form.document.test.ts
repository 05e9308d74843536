import { describe, expect, it } from 'vitest';
import { authorisationFormDocument } from './authorisation-form.document.ts';

const data = {
  committeeCode: '310110012001',
  householdNo: '310110D000000042',
  address: '上海市杨浦区控江路街道 12弄3号201室',
  purposeName: '最低生活保障',
  signers: [
    { name: '王建国', relationName: '户主', idNumberMasked: '310110********1234' },
    { name: '李秀英', relationName: '配偶', idNumberMasked: '310110********2345' },
  ],
  validDays: 180,
  standing: false,
  printedOn: '2026-12-01',
};

describe('核对授权书', () => {
  it('names the purpose, every agency asked, the period and one signature line per adult', () => {
    const doc = authorisationFormDocument(data);
    expect(doc.title).toBe('居民家庭经济状况核对授权书');
    expect(doc.issuer).toBe('上海市杨浦区民政局');
    const text = JSON.stringify(doc.blocks);
    expect(text).toContain('税务部门');
    expect(text).toContain('不动产登记机构');
    expect(text).not.toContain('异地核对机构'); // asked only through an exchange package
    expect(text).toContain('180 日内有效');
    const signers = doc.blocks.find((b) => b.type === 'table');
    expect(signers?.type === 'table' && signers.rows.map((r) => r[0])).toEqual(['王建国', '李秀英']);
  });

  it('says a standing authorisation lasts as long as the benefit', () => {
    const text = JSON.stringify(authorisationFormDocument({ ...data, standing: true }).blocks);
    expect(text).toContain('待遇存续期间持续有效');
    expect(text).not.toContain('日内有效');
  });
});
