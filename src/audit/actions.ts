/**
 * Every audited action, as a closed set: a new kind of write adds a member here (and its Chinese label),
 * so the audit log never carries free-text action names.
 */
export const AUDIT_ACTIONS = {
  'auth.login': '登录成功',
  'auth.login_failed': '登录失败',
  'auth.locked': '账号锁定',
  'auth.logout': '退出登录',
  'auth.password_changed': '修改密码',
  'auth.password_change_failed': '修改密码失败（当前密码错误）',
  'user.created': '新建用户',
  'user.password_reset': '重置密码',
  'user.updated': '修改用户',
  'person.unmask': '查看完整身份证号/电话',
  'person.created': '新增人员',
  'person.updated': '修改人员',
  'household.created': '新建家庭户',
  'household.updated': '修改家庭户',
  'household.member_added': '家庭成员迁入',
  'household.member_ended': '家庭成员迁出',
  'household.member_moved': '家庭成员转户',
  'household.head_changed': '变更户主',
  'household.relation_changed': '变更成员关系',
  'household.corrected': '更正家庭户信息',
  'person.born': '出生登记',
  'person.died': '死亡登记',
  'person.death_corrected': '更正死亡日期',
  'person.corrected': '更正人员信息',
  'person.transfer': '跨区迁移',
  'fact.added': '新增经济状况事实',
  'fact.superseded': '经济状况事实被新记录取代（结束）',
  'fact.ended': '结束经济状况事实',
  'fact.corrected': '更正经济状况事实',
  'registry.import': '台账导入',
  'registry.export': '台账导出',
  'attachment.added': '上传附件',
  'attachment.removed': '移除附件',
  'attachment.downloaded': '下载附件',
  'calendar.year_replaced': '导入年度工作日历（放假与调休安排）',
  'audit.checkpoint': '签署审计检查点',
  'audit.export': '审计日志导出',
  'demo.seeded': '生成演示数据',
  'system.initialised': '系统初始化',
  'job.enqueued': '提交任务',
  'job.cancelled': '取消任务',
  'job.batch': '任务批次',
  'job.schedule_changed': '修改定时任务',
  'system.backup': '系统备份',
  'system.restore': '从备份恢复',
  'verification.authorised': '登记核对授权书',
  'verification.authorisation_ended': '终止核对授权',
  'verification.transition': '核对委托',
  'verification.queried': '向部门发起核对查询（批次）',
  'verification.answered': '登记部门核对答复（批次）',
  'verification.reported': '出具核对报告（批次）',
  'verification.report_revised': '复核后更正核对报告',
  'verification.raw_viewed': '查看部门原始答复',
  'verification.package_exported': '导出异地协查包',
  'verification.package_imported': '导入异地协查包',
  'verification.package_refused': '拒收异地协查包',
  'verification.peer_key_added': '登记异地协查对端公钥',
  'verification.rechecked': '在保对象定期复核（批次）',
  'cases.transition': '救助申请办理',
  'cases.review_scheduled': '设定定期复审时间',
  'cases.reviews_opened': '批量开启定期复审',
  'cases.change_reported': '报告变更',
  'cases.recorded': '登记救助申请办理记录（公示、异议、近亲属备案）',
  'cases.public_application': '收到网上申请',
  'cases.public_status_refused': '办理进度查询未通过（编号或身份证号不符）',
  'cases.public_application_handled': '网上申请核实处理（匹配建案或办结）',
  'decision.prepared': '拟定决定明细（联合认定）',
  'decision.decided': '决定生效（批准或不予批准）',
  'entitlement.created': '新增待遇',
  'entitlement.changed': '待遇变更（金额、收款人）',
  'entitlement.transition': '待遇暂停、停发、恢复',
  'relatives.linked': '关联工作人员本人人员信息',
  'relatives.committee_member': '维护居委会成员名单',
  'relatives.declared': '登记近亲属备案',
  'relatives.declaration_ended': '结束近亲属备案',
  'adviser.assignment': '救助顾问分派',
  'adviser.visit': '救助顾问走访',
  'adviser.assessment': '救助需求评估',
  'adviser.plan': '帮扶计划',
  'adviser.referral': '救助顾问转介',
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export const auditActionList = Object.keys(AUDIT_ACTIONS) as AuditAction[];

export function isAuditAction(value: string): value is AuditAction {
  return Object.hasOwn(AUDIT_ACTIONS, value);
}

export function auditActionName(action: AuditAction): string {
  return AUDIT_ACTIONS[action];
}

/** The kinds of record audit rows concern, in Chinese (the entity_type column holds the keys). */
export const AUDIT_ENTITY_TYPES = {
  person: '人员',
  household: '家庭户',
  household_member: '家庭成员关系',
  economic_fact: '经济状况事实',
  person_transfer: '跨区迁移',
  user: '用户',
  household_roster: '户籍台账',
  district: '区',
  audit_log: '审计日志',
  attachment: '附件',
  calendar_year: '工作日历年度',
  job: '任务',
  job_schedule: '定时任务',
  backup: '系统备份',
  verification_authorisation: '核对授权书',
  verification_request: '核对委托',
  verification_objection: '核对结果复核申请',
  verification_package: '异地协查包',
  verification_peer_key: '异地协查对端公钥',
  case: '救助申请',
  case_objection: '公示异议',
  public_application: '网上申请',
  case_decision: '决定明细',
  entitlement: '待遇',
  staff_link: '工作人员人员关联',
  relative_declaration: '近亲属备案',
  adviser_assignment: '救助顾问分派',
  adviser_visit: '救助顾问走访',
  adviser_assessment: '救助需求评估',
  adviser_plan: '帮扶计划',
  adviser_referral: '救助顾问转介',
} as const;

export function auditEntityTypeName(entityType: string): string {
  return Object.hasOwn(AUDIT_ENTITY_TYPES, entityType)
    ? AUDIT_ENTITY_TYPES[entityType as keyof typeof AUDIT_ENTITY_TYPES]
    : entityType;
}
