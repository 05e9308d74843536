/**
 * Typed handles for every parameter file under src/parameters: programs read `P.dibao.standard`,
 * never a literal number. A test checks that the handles and the files match one to one.
 */
import { casesHandles } from '../../cases/cases.handles.ts';
import { controlsHandles } from '../../controls/controls.handles.ts';

export interface ParamHandle {
  readonly path: string;
}

const h = (path: string): ParamHandle => ({ path });

export const P = {
  dibao: {
    standard: h('dibao.standard'),
    standard_minor: h('dibao.standard_minor'),
    minor_max_age: h('dibao.minor_max_age'),
    employment_exemption: h('dibao.employment_exemption'),
    asset_limit: {
      monetary_per_capita: h('dibao.asset_limit.monetary_per_capita'),
      monetary_per_capita_small_household: h('dibao.asset_limit.monetary_per_capita_small_household'),
      small_household_max_size: h('dibao.asset_limit.small_household_max_size'),
    },
    max_vehicles: h('dibao.max_vehicles'),
    max_homes: h('dibao.max_homes'),
    max_homes_small_area: h('dibao.max_homes_small_area'),
  },
  dibao_edge: { income_threshold: h('dibao_edge.income_threshold') },
  city: { per_capita_disposable_income: h('city.per_capita_disposable_income') },
  verification: {
    adult_age: h('verification.adult_age'),
    authorisation_valid_days: h('verification.authorisation_valid_days'),
    deadline_working_days: h('verification.deadline_working_days'),
    objection_working_days: h('verification.objection_working_days'),
    package_valid_days: h('verification.package_valid_days'),
    tolerance: {
      income_fen: h('verification.tolerance.income_fen'),
      income_bp: h('verification.tolerance.income_bp'),
      assets_fen: h('verification.tolerance.assets_fen'),
      assets_bp: h('verification.tolerance.assets_bp'),
    },
  },
  cases: {
    ...casesHandles(h),
    notices: {
      review_days: h('cases.notices.review_days'),
      litigation_months: h('cases.notices.litigation_months'),
    },
  },
  entitlements: {
    report_max_age_days: {
      dibao: h('entitlements.report_max_age_days.dibao'),
      dibao_edge: h('entitlements.report_max_age_days.dibao_edge'),
      rigid_expense: h('entitlements.report_max_age_days.rigid_expense'),
      temporary: h('entitlements.report_max_age_days.temporary'),
      tekun: h('entitlements.report_max_age_days.tekun'),
      severe_disability_unemployed: h('entitlements.report_max_age_days.severe_disability_unemployed'),
      renovation: h('entitlements.report_max_age_days.renovation'),
      traditional: h('entitlements.report_max_age_days.traditional'),
      rural_youth: h('entitlements.report_max_age_days.rural_youth'),
      anhui_resettled: h('entitlements.report_max_age_days.anhui_resettled'),
      kunjing_child: h('entitlements.report_max_age_days.kunjing_child'),
      orphan: h('entitlements.report_max_age_days.orphan'),
      elderly_allowance: h('entitlements.report_max_age_days.elderly_allowance'),
      grain_oil: h('entitlements.report_max_age_days.grain_oil'),
      price_subsidy: h('entitlements.report_max_age_days.price_subsidy'),
    },
  },
  rigid_expense: { medical_share: h('rigid_expense.medical_share') },
  temporary: { max_months: h('temporary.max_months') },
  tekun: {
    standard: h('tekun.standard'),
    elderly_min_age: h('tekun.elderly_min_age'),
    child_age_limit: h('tekun.child_age_limit'),
    max_disability_grade: h('tekun.max_disability_grade'),
  },
  severe_disability_unemployed: {
    min_age: h('severe_disability_unemployed.min_age'),
    max_age: h('severe_disability_unemployed.max_age'),
    max_disability_grade: h('severe_disability_unemployed.max_disability_grade'),
  },
  traditional: { standard: h('traditional.standard') },
  rural_youth: { amount: h('rural_youth.amount') },
  anhui_resettled: {
    amount: { class1: h('anhui_resettled.amount.class1'), class2: h('anhui_resettled.amount.class2') },
  },
  kunjing_child: { amount: h('kunjing_child.amount'), age_limit: h('kunjing_child.age_limit') },
  orphan: { amount: h('orphan.amount'), age_limit: h('orphan.age_limit') },
  elderly_allowance: {
    amount: {
      band_1: h('elderly_allowance.amount.band_1'),
      band_2: h('elderly_allowance.amount.band_2'),
      band_3: h('elderly_allowance.amount.band_3'),
      band_4: h('elderly_allowance.amount.band_4'),
      band_5: h('elderly_allowance.amount.band_5'),
    },
    band_min_age: {
      band_1: h('elderly_allowance.band_min_age.band_1'),
      band_2: h('elderly_allowance.band_min_age.band_2'),
      band_3: h('elderly_allowance.band_min_age.band_3'),
      band_4: h('elderly_allowance.band_min_age.band_4'),
      band_5: h('elderly_allowance.band_min_age.band_5'),
    },
  },
  grain_oil: {
    card: h('grain_oil.card'),
    voucher: h('grain_oil.voucher'),
    card_child_age_limit: h('grain_oil.card_child_age_limit'),
    card_min_age: h('grain_oil.card_min_age'),
    voucher_min_age: h('grain_oil.voucher_min_age'),
  },
  price_subsidy: { amount_per_person: h('price_subsidy.amount_per_person') },
  controls: controlsHandles(h),
  events: {
    elderly_age: h('events.elderly_age'),
    working_days: {
      funeral_notice: h('events.working_days.funeral_notice'),
      payee_account: h('events.working_days.payee_account'),
    },
  },
  renovation: {
    cap: h('renovation.cap'),
    min_age: h('renovation.min_age'),
    rate: {
      dibao: h('renovation.rate.dibao'),
      edge: h('renovation.rate.edge'),
      other: h('renovation.rate.other'),
    },
  },
} as const;

type Tree = ParamHandle | { readonly [k: string]: Tree };

function collect(node: Tree, out: ParamHandle[]): ParamHandle[] {
  if ('path' in node && typeof node.path === 'string') out.push(node as ParamHandle);
  else for (const child of Object.values(node as { readonly [k: string]: Tree })) collect(child, out);
  return out;
}

/** Every handle, for the files-match-handles test. */
export function allHandles(): ParamHandle[] {
  return collect(P, []);
}
