/**
 * 网上申请的状态. `drafted` is set at submission when the registry knew the applicant (the draft case then
 * carries the application); an `unmatched` one waits for the street, who after calling the applicant
 * either matches it to a household now in the registry (建案) or closes it with an outcome (办结). Both
 * are final: a second street action finds the wrong state (409). Kept apart from the machine (online.machine.ts)
 * so that the console can check its copies against these without reaching the server's modules.
 */
export type OnlineApplicationState = 'drafted' | 'unmatched' | 'matched' | 'closed';

export const ONLINE_STATE_NAMES: Readonly<Record<OnlineApplicationState, string>> = {
  drafted: '已建草稿（自动匹配）',
  unmatched: '待匹配',
  matched: '已匹配建案',
  closed: '已办结',
};

/**
 * 网上申请的办结结果: the short fixed list a street closes an unmatched application with after calling the
 * applicant. `label` is what staff pick and read; `publicText` is what the applicant's status page says.
 * The public text never mentions the registry, another person or another case (the status page must tell
 * no more than it did before), and never repeats the caseworker's note.
 */
export const ONLINE_OUTCOMES = {
  not_eligible: {
    label: '已电话答复不符合条件',
    publicText:
      '街道已与您电话联系，经核实不符合所申请项目的条件；如有疑问，可到居住地街道社区事务受理服务中心咨询',
  },
  other_district: {
    label: '非本区户籍，已告知向户籍地申请',
    publicText: '街道已与您电话联系：请向户籍所在地的街道（乡镇）社区事务受理服务中心提出申请',
  },
  duplicate: {
    label: '重复申请',
    publicText: '街道已与您电话联系：本次申请与您此前提交的申请重复，不再另行办理',
  },
  unreachable: {
    label: '联系不上',
    publicText:
      '街道按您留下的电话多次联系未能联系上，本次申请已办结；如仍需申请，请重新提交或到居住地街道社区事务受理服务中心申请',
  },
  applicant_declined: {
    label: '申请人表示不再申请',
    publicText: '按您在电话中的意见，本次申请不再办理；如需申请，可随时重新提交',
  },
  other: {
    label: '其他（见说明）',
    publicText: '街道已与您联系并作出答复，本次申请已办结；如有疑问，可到居住地街道社区事务受理服务中心咨询',
  },
} as const satisfies Record<string, { label: string; publicText: string }>;

export type OnlineOutcome = keyof typeof ONLINE_OUTCOMES;

export const ONLINE_OUTCOME_CODES = Object.keys(ONLINE_OUTCOMES) as [OnlineOutcome, ...OnlineOutcome[]];

export function isOnlineOutcome(value: string | null): value is OnlineOutcome {
  return value !== null && value in ONLINE_OUTCOMES;
}
