import { describe, expect, it } from 'vitest';
import { changeValueText, inputUnit, originIndex, originKey, toApiValue } from './changes.ts';

describe('parameter changes on the page', () => {
  it('turns 元 typed in the dialog into fen, and leaves what is not a number for the server to refuse', () => {
    expect(toApiValue('fen', '1,700')).toBe(170_000);
    expect(toApiValue('fen', '1700.5')).toBe(170_050);
    expect(toApiValue('fen', '1700.555')).toBe('1700.555');
    expect(toApiValue('years', '60')).toBe(60);
    expect(toApiValue('fen', '一千七')).toBe('一千七');
    expect(inputUnit('fen', '分（金额）')).toBe('元');
  });

  it('finds the origin of a city or district value', () => {
    const index = originIndex([
      {
        path: 'dibao.standard',
        description: '低保标准',
        unit: 'fen',
        unitName: '分',
        keyedBy: 'date',
        values: [
          {
            from: '2026-07-01',
            value: 1,
            status: 'given',
            source: 's',
            origin: 'change',
            originName: '已批准变更',
          },
        ],
        districts: [
          {
            code: '310110',
            name: '杨浦区',
            values: [
              {
                from: '2026-08-01',
                value: 2,
                status: 'given',
                source: 's',
                origin: 'file',
                originName: '内置文件',
              },
            ],
          },
        ],
      },
    ]);
    expect(index.get(originKey('dibao.standard', null, '2026-07-01'))?.origin).toBe('change');
    expect(index.get(originKey('dibao.standard', '310110', '2026-08-01'))?.origin).toBe('file');
    expect(changeValueText({ unit: 'fen', unitName: '分' }, 170_000)).toBe('1,700.00 元');
  });
});
