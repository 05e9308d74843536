import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { OPERATOR } from '../auth/roles.ts';
import { ALL, CITY_DIVISION_CODE, divisionScope } from '../auth/scope.ts';
import { findUserByUsername } from '../auth/user.repository.ts';
import { now } from '../core/clock.ts';
import type { Store } from '../db/store.ts';
import { listChangeViews, parametersWithOrigins } from '../parameter-changes/change.present.ts';
import {
  actOnChange,
  proposeChange,
  withRefusalAudit,
  type ChangeCaller,
} from '../parameter-changes/change.service.ts';
import { ParameterChangeError } from '../parameter-changes/parameter-changes.errors.ts';
import { ensureCurrentParameters, parametersInForce } from '../parameter-changes/parameters-in-force.ts';
import { shanghaiMonth } from '../core/clock.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import { WorkflowError } from '../workflow/workflow.errors.ts';
import { CliError, withStore } from './context.ts';
import { formatTable } from './table.ts';

/**
 * `minzheng parameters …`: 政策参数调整 at the terminal (docs/parameter-changes.md). The command acts as a
 * named user (`--as 用户名`, a policy officer: the four-eyes rule compares users), or else as the
 * operator at the terminal (`cli:<login>`, city level), so that two operators can propose and approve.
 */

function fail(error: unknown): never {
  if (error instanceof ParameterChangeError || error instanceof WorkflowError)
    throw new CliError(error.message);
  throw error;
}

async function callerOf(store: Store, as: string | undefined): Promise<ChangeCaller> {
  if (as === undefined)
    return {
      scope: ALL,
      role: OPERATOR,
      userId: `cli:${userInfo().username}`,
      divisionCode: CITY_DIVISION_CODE,
    };
  const user = await findUserByUsername(store.db, as);
  if (!user || user.disabled) throw new CliError(`用户不存在或已停用：${as}`);
  return {
    scope: divisionScope(user.divisionCode),
    role: user.role,
    userId: user.id,
    divisionCode: user.divisionCode,
  };
}

const actorOf = (caller: ChangeCaller, reason: string): ActingContext => ({
  userId: caller.userId,
  divisionCode: caller.divisionCode === CITY_DIVISION_CODE ? null : caller.divisionCode,
  reason,
});

/** `--value 165000`: an integer in the parameter's unit; anything else goes to the service to be refused. */
function parseValue(text: string): number | string {
  return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text;
}

interface ProposeOptions {
  path: string;
  value: string;
  effective: string;
  decided?: string;
  doc: string;
  source: string;
  status: string;
  note?: string;
  district?: string;
  reason: string;
  as?: string;
}

export function registerParametersCommands(program: Command): void {
  const parameters = program
    .command('parameters')
    .description('政策参数调整：提出、审批与历史 (parameter changes)');
  parameters
    .command('propose')
    .description(
      '提出参数调整：取值为参数单位的整数（金额为分）；须由另一名政策管理员批准 (propose a change)',
    )
    .requiredOption('--path <path>', '参数路径，如 dibao.standard')
    .requiredOption('--value <n>', '取值：参数单位的整数（金额为分）')
    .requiredOption('--effective <date>', '生效日期 YYYY-MM-DD（按年度的统计数值为年份 YYYY）')
    .option('--decided <date>', '文件决定（印发）日期 YYYY-MM-DD')
    .requiredOption('--doc <文号>', '文号')
    .requiredOption('--source <text>', '文件名称或出处')
    .option(
      '--status <status>',
      '核实状态：given、found、secondary、inferred、unverified、assumption',
      'given',
    )
    .option('--note <text>', '备注')
    .option('--district <code>', '区代码：调整该区自行设定的取值（区级政策管理员）')
    .option('--reason <text>', '调整原因', '按文件调整政策参数')
    .option('--as <username>', '以该用户（政策管理员）的身份操作')
    .action(async (opts: ProposeOptions) => {
      const id = await withStore(async (store) => {
        const caller = await callerOf(store, opts.as);
        const actor = actorOf(caller, opts.reason);
        const districtCode = opts.district ?? null;
        return withRefusalAudit(store, actor, { action: 'propose', path: opts.path, districtCode }, () =>
          inUnitOfWork(store, actor, (tx) =>
            proposeChange(tx, caller, {
              path: opts.path,
              districtCode,
              value: parseValue(opts.value),
              effective: opts.effective,
              decidedOn: opts.decided,
              documentNo: opts.doc,
              source: opts.source,
              status: opts.status,
              note: opts.note,
              reason: opts.reason,
            }),
          ),
        ).catch(fail);
      });
      process.stdout.write(`已提出参数调整 ${id}，待另一名政策管理员批准\n`);
    });
  for (const [action, label] of [
    ['approve', '批准'],
    ['reject', '驳回'],
    ['withdraw', '撤回'],
  ] as const) {
    parameters
      .command(action)
      .argument('<id>', '参数调整编号')
      .description(
        `${label}参数调整${action === 'withdraw' ? '（仅提出人）' : '（不能审批本人提出的）'} (${action} a change)`,
      )
      .option('--reason <text>', '意见', `${label}`)
      .option('--as <username>', '以该用户（政策管理员）的身份操作')
      .action(async (id: string, opts: { reason: string; as?: string }) => {
        await withStore(async (store) => {
          const caller = await callerOf(store, opts.as);
          const actor = actorOf(caller, opts.reason);
          await withRefusalAudit(store, actor, { action, id }, () =>
            inUnitOfWork(store, actor, (tx) => actOnChange(tx, caller, { id, action, reason: opts.reason })),
          ).catch(fail);
          if (action === 'approve') await ensureCurrentParameters(store.db);
        });
        process.stdout.write(`已${label}参数调整 ${id}\n`);
      });
  }
  parameters
    .command('history')
    .argument('<path>', '参数路径，如 dibao.standard')
    .description('参数的取值历史（内置文件 / 已批准变更）与调整记录 (history of a parameter)')
    .option('--json', '以 JSON 输出 (JSON output)')
    .action(async (path: string, opts: { json?: boolean }) => {
      const { parameter, changes } = await withStore(async (store) => {
        const caller = await callerOf(store, undefined);
        const store_ = parametersInForce();
        const [parameter] = parametersWithOrigins(store_, shanghaiMonth(), path);
        if (!parameter) throw new CliError(`未定义的参数：${path}`);
        return {
          parameter,
          changes: await listChangeViews(store.db, caller, { path, limit: 500 }, store_, now()),
        };
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ parameter, changes }, null, 2)}\n`);
        return;
      }
      const lines = [
        `${parameter.description}（${parameter.path}，单位：${parameter.unitName}）`,
        formatTable(
          ['范围', '生效', '取值', '来源', '状态', '出处'],
          [
            ...parameter.values.map((v) => [
              '全市',
              v.from,
              String(v.value),
              v.originName,
              v.status,
              v.source,
            ]),
            ...parameter.districts.flatMap((d) =>
              d.values.map((v) => [d.name, v.from, String(v.value), v.originName, v.status, v.source]),
            ),
          ],
        ),
        '调整记录：',
        changes.length === 0
          ? '  （无）'
          : formatTable(
              ['编号', '范围', '生效', '取值', '文号', '状态', '提出人', '审批人', '提示'],
              changes.map((c) => [
                c.id,
                c.districtName,
                c.effective,
                String(c.value),
                c.documentNo,
                c.stateName,
                c.proposedByName,
                c.decidedByName ?? '',
                c.backdated ? '追溯生效，将触发补发' : '',
              ]),
            ),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
