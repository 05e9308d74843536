import type {
  AcceptanceNoticeData,
  ApprovalNoticeData,
  DenialNoticeData,
  NonAcceptanceNoticeData,
  NoticeCase,
  PublicityListData,
} from './notice.types.ts';

/** Test data for the notices (a 杨浦区 控江路街道 household). */

export const caseOf: NoticeCase = {
  caseCode: 'SA-310110-2026-000123',
  committeeCode: '310110012001',
  applicantName: '王建国',
  applicantIdNumber: '310110********1234',
  address: '上海市杨浦区控江路1000弄12号301室',
  printedOn: '2026-12-01',
};

export const acceptance: AcceptanceNoticeData = {
  ...caseOf,
  programs: ['最低生活保障', '粮油帮困'],
  appliedOn: '2026-11-20',
  acceptedOn: '2026-11-23',
  nextSteps: ['家庭经济状况核对', '入户调查', '民主评议', '公示', '审批'],
  dueOn: '2026-12-21',
  materials: ['申请书', '户口簿', '身份证', '核对授权书'],
  contactPhone: '021-65430000',
};

export const nonAcceptance: NonAcceptanceNoticeData = {
  ...caseOf,
  programs: ['最低生活保障'],
  appliedOn: '2026-11-20',
  decidedOn: '2026-11-23',
  reasons: ['申请人户籍不在本街道，应向户籍所在地街道（镇）提出申请。'],
};

export const approval: ApprovalNoticeData = {
  ...caseOf,
  authority: 'district',
  decidedOn: '2026-12-15',
  lines: [
    {
      programName: '最低生活保障',
      amountFen: 284_000,
      schedule: 'monthly',
      startMonth: '2026-12',
      payee: { name: '王建国', bankName: '上海农村商业银行', accountNo: '6222********1234' },
    },
    {
      programName: '粮油帮困',
      beneficiaryName: '王建国',
      amountFen: 4_000,
      schedule: 'monthly',
      startMonth: '2026-12',
    },
    {
      programName: '临时救助',
      amountFen: 1_234_500,
      schedule: 'once',
      startMonth: '2026-12',
      endMonth: '2026-12',
    },
  ],
};

export const denial: DenialNoticeData = {
  ...caseOf,
  authority: 'district',
  decidedOn: '2026-12-15',
  lines: [
    {
      programName: '特困人员救助供养',
      reasons: ['申请人有法定赡养人且赡养人具有赡养能力。', '申请人具有劳动能力。'],
    },
  ],
};

export const publicity: PublicityListData = {
  divisionCode: '310110012',
  from: '2026-12-02',
  to: '2026-12-08',
  rows: [
    {
      name: '王建国',
      committeeCode: '310110012001',
      householdSize: 3,
      programs: ['最低生活保障', '粮油帮困'],
      amountFen: 288_000,
    },
    {
      name: '欧阳小明',
      committeeCode: '310110012003',
      householdSize: 1,
      programs: ['特困人员救助供养'],
      amountFen: 1_234_567,
    },
    { name: '李娜', committeeCode: '310110012001', programs: ['临时救助'], amountFen: null },
  ],
  objectionPlace: '控江路街道社区事务受理服务中心',
  contact: '021-65430000',
  printedOn: '2026-12-01',
};
