import {
  listParameters,
  parameterInForce,
  type ParameterInForce,
  type ParameterStore,
} from '../../policy/index.ts';
import { getDivision } from '../../registry/registry.service.ts';

/** A dated value as the API shows it: `from` is its effective date (or statistical year). */
export interface ParameterValueView {
  from: string;
  value: number;
  status: string;
  source: string;
  decided?: string;
  note?: string;
}

export type ParameterInForceView = ParameterValueView &
  Pick<ParameterInForce, 'month' | 'wanted' | 'warning'>;

/** A district that sets the parameter itself (区级参数): its own dated values and the one in force. */
export interface DistrictParameterView {
  code: string;
  /** 普陀区; the code itself for a district the division table does not know. */
  name: string;
  values: ParameterValueView[];
  current: ParameterInForceView | null;
}

export interface ParameterView {
  name: string;
  description: string;
  unit: string;
  keyedBy: 'date' | 'year';
  /** The city's values (empty when only districts set the parameter). */
  values: ParameterValueView[];
  current: ParameterInForceView | null;
  /** Present when districts set the parameter themselves, in district code order. */
  districts?: DistrictParameterView[];
}

const view = <T extends { key: string }>({ key, ...value }: T) => ({ from: key, ...value });

/**
 * 政策参数 for the console and the API: every parameter's city values and the value in force for `month`,
 * and for a parameter with district values (`districts:` in its file) each district's values and the
 * value in force there — by the engine's own rule on the district's view of the parameters
 * (`ParameterStore.forDistrict`), so the page shows what a calculation for that district reads.
 */
export function presentParameters(store: ParameterStore, month: string): ParameterView[] {
  return listParameters(month, store).map((p) => {
    const districts = Object.entries(p.districts ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([code, values]): DistrictParameterView => {
        const current = parameterInForce(store.forDistrict(code), p.path, month);
        return {
          code,
          name: getDivision(code)?.name ?? code,
          values: values.map(view),
          current: current ? view(current) : null,
        };
      });
    return {
      name: p.path,
      description: p.description,
      unit: p.unit,
      keyedBy: p.keyedBy,
      values: p.values.map(view),
      current: p.current ? view(p.current) : null,
      ...(districts.length > 0 ? { districts } : {}),
    };
  });
}
