import type { Command } from 'commander';

/** Adds one group's commands (with their options and actions) to the program. */
export type RegisterCommands = (program: Command) => void;

/**
 * The CLI's command groups, in the order `minzheng --help` lists them. A group's module, and all it
 * imports (the rules engine, the database drivers, exceljs, Fastify), loads only when one of its commands
 * runs: `--help` and `--version` load none, `calc` loads the engine alone. So this list carries the
 * summary line `--help` shows for each command; commands.test.ts checks it against the modules.
 */
export interface CommandGroup {
  /** Each top-level command the module registers, with its description. */
  readonly commands: Readonly<Record<string, string>>;
  readonly load: () => Promise<RegisterCommands>;
}

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  {
    commands: { db: '数据库管理 (database)' },
    load: async () => (await import('./db.command.ts')).registerDbCommands,
  },
  {
    commands: { calc: '计算一户家庭的各项救助待遇 (evaluate one household)' },
    load: async () => (await import('./policy.command.ts')).registerPolicyCommands,
  },
  {
    commands: {
      simulate:
        '按月模拟全体人口的受助户数与金额，可对比调整方案 (simulate a population, optionally a reform)',
    },
    load: async () => (await import('./simulate.command.ts')).registerSimulateCommand,
  },
  {
    commands: {
      serve: '启动平台：接口与管理控制台；首次启动自动建库、生成演示数据并创建初始账号 (start the server)',
    },
    load: async () => (await import('./serve.command.ts')).registerServeCommands,
  },
  {
    commands: { audit: '审计日志 (audit log)' },
    load: async () => (await import('./audit.command.ts')).registerAuditCommands,
  },
  {
    commands: {
      backup: '系统备份：内置数据库的备份 (backups)',
      restore:
        '从备份恢复内置数据库（须先停止服务器）：先核对校验值，原数据库改名保留，恢复后执行 audit verify (restore a backup)',
    },
    load: async () => (await import('./restore.command.ts')).registerBackupCommands,
  },
  {
    commands: { calendar: '工作日历：法定节假日、调休与工作日期限 (working-day calendar)' },
    load: async () => (await import('./calendar.command.ts')).registerCalendarCommands,
  },
  {
    commands: { users: '用户管理 (users)' },
    load: async () => (await import('./users.command.ts')).registerUsersCommands,
  },
  {
    commands: {
      persons: '人员信息查询 (population registry: persons)',
      households: '家庭户查询 (population registry: households)',
      registry: '登记变更：死亡、出生、更正，跨区迁移查询 (registry edits)',
    },
    load: async () => (await import('./registry.command.ts')).registerRegistryCommands,
  },
  {
    commands: { facts: '经济状况事实：查看、新增、结束 (dated economic facts)' },
    load: async () => (await import('./facts.command.ts')).registerFactsCommands,
  },
  {
    commands: { verify: '居民家庭经济状况核对 (household economic verification)' },
    load: async () => (await import('./verify.command.ts')).registerVerifyCommands,
  },
  {
    commands: { cases: '社会救助一件事：救助申请 (social assistance cases)' },
    load: async () => (await import('./cases.command.ts')).registerCasesCommands,
  },
  {
    commands: { findings: '内控发现 (internal-control findings)' },
    load: async () => (await import('./findings.command.ts')).registerFindingsCommands,
  },
  {
    commands: { import: '台账导入 (import)', export: '台账导出 (export)' },
    load: async () => (await import('./import-export.command.ts')).registerImportExportCommands,
  },
  {
    commands: { parameters: '政策参数调整：提出、审批与历史 (parameter changes)' },
    load: async () => (await import('./parameters.command.ts')).registerParametersCommands,
  },
  {
    commands: { jobs: '任务：导入、定时任务等的进度与管理 (jobs)' },
    load: async () => (await import('./jobs.command.ts')).registerJobsCommands,
  },
  {
    commands: {
      worker:
        '任务执行进程：在 PostgreSQL 上与服务并行运行导入、定时任务等，可开多个 (run jobs beside the server)',
    },
    load: async () => (await import('./worker.command.ts')).registerWorkerCommand,
  },
  {
    commands: { files: '文件与附件：清理孤立文件 (files and attachments)' },
    load: async () => (await import('./files.command.ts')).registerFilesCommands,
  },
  {
    // payroll-bank adds `payroll export` and `payroll reconcile` (to the runs' `payroll` command once it exists).
    commands: { payroll: '资金统发：发放批次、银行文件与对账 (payroll)' },
    load: async () => {
      const runs = (await import('./payroll.command.ts')).registerPayrollCommands;
      const bank = (await import('./payroll-bank.command.ts')).registerPayrollBankCommands;
      // 在保对象导入 (src/payroll/onboarding): payroll import-recipients, payroll recipients-template.
      const onboarding = (await import('../payroll/onboarding/onboarding.command.ts'))
        .registerRecipientImportCommands;
      return (program) => {
        runs(program);
        bank(program);
        onboarding(program);
      };
    },
  },
  {
    commands: { stats: '统计报表：月报与年报 (statistics tables)' },
    load: async () => (await import('./stats.command.ts')).registerStatsCommands,
  },
  {
    commands: { events: '生命事件：回放导入与处理 (life events)' },
    load: async () => (await import('./events.command.ts')).registerEventsCommands,
  },
  {
    commands: { demo: '演示数据：合成的上海某区人口 (synthetic demo population)' },
    load: async () => (await import('./demo.command.ts')).registerDemoCommands,
  },
];

/** The command the arguments name (`help <command>` names the one after it), if any. */
export function commandNamed(args: readonly string[]): string | undefined {
  const words = args.filter((arg) => !arg.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

export function groupOf(command: string | undefined): CommandGroup | undefined {
  return command === undefined
    ? undefined
    : COMMAND_GROUPS.find((group) => Object.hasOwn(group.commands, command));
}
