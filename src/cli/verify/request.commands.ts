import { basename } from 'node:path';
import { createReadStream } from 'node:fs';
import type { Command } from 'commander';
import { ALL } from '../../auth/scope.ts';
import { calendarOf } from '../../calendar/calendar.service.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { configuredFileStore } from '../../files/file-store.ts';
import { attachFile } from '../../files/files.service.ts';
import { discardStaged, newStagingPath, stageStream } from '../../files/staging.ts';
import { householdMemberRows } from '../../registry/household.repository.ts';
import { searchHouseholds } from '../../registry/registry.service.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { adultsOn, registerAuthorisation } from '../../verification/authorisation.service.ts';
import { enqueueGathering } from '../../verification/gather.service.ts';
import { createRequest, getRequest } from '../../verification/request.service.ts';
import { CliError, withStore } from '../context.ts';
import { formatTable } from '../table.ts';
import { cliActor, fail, OPERATOR_CALLER, requestOf } from './cli-support.ts';

/**
 * `verify request`: the counter's whole step at the terminal — the signed 授权书 attached to the household,
 * registered as signed today by every adult member, and the request accepted — in one unit of work;
 * `verify show`: a request with each source's status.
 */

export function registerVerifyRequestCommands(verify: Command): void {
  verify
    .command('request')
    .description('受理核对委托：附上成年家庭成员签署的授权书，打印委托编号 (request a verification)')
    .requiredOption('--household <no>', '户编号 (household number)')
    .requiredOption(
      '--purpose <code>',
      '核对用途：政策项目代码（dibao 等）或 housing_lianzu、housing_gongyou、other',
    )
    .requiredOption('--authorization <file>', '签署的授权书文件（PDF、JPEG、PNG、OFD）(signed authorisation)')
    .option('--district <code>', '区代码；两个区有相同户编号时必填 (district)')
    .option('--standing', '申请时签署，待遇存续期间用于定期复核 (covers periodic re-verification)')
    .option('--reason <text>', '受理事由，记入审计 (reason; audited)', '受理核对委托')
    .action(
      async (opts: {
        household: string;
        purpose: string;
        authorization: string;
        district?: string;
        standing?: boolean;
        reason: string;
      }) => {
        const view = await withStore(async (store, config) => {
          const page = await searchHouseholds(store.db, ALL, { householdNo: opts.household, limit: 10 });
          const matches = page.rows.filter((r) => !opts.district || r.districtCode === opts.district);
          if (matches.length === 0) throw new CliError(`没有户编号为 ${opts.household} 的家庭户`);
          if (matches.length > 1)
            throw new CliError(`户编号 ${opts.household} 在多个区存在，请用 --district 指定`);
          const household = matches[0]!;
          const staging = await newStagingPath(config.MINZHENG_DATA_DIR);
          try {
            const staged = await stageStream(createReadStream(opts.authorization), staging);
            const calendar = await calendarOf(store);
            const files = configuredFileStore(config, store.kind);
            return await inUnitOfWork(store, cliActor(opts.reason), async (tx) => {
              const entity = {
                entityType: 'household',
                districtCode: household.districtCode,
                entityId: household.id,
              };
              const attachment = await attachFile(tx, files, OPERATOR_CALLER, {
                entity,
                kind: 'authorisation',
                name: basename(opts.authorization),
                staged,
                maxBytes: config.MINZHENG_FILE_MAX_MB * 1024 * 1024,
              });
              const today = shanghaiToday(tx.now);
              const members = await householdMemberRows(tx.db, household.districtCode, household.id, false);
              await registerAuthorisation(tx, OPERATOR_CALLER, {
                districtCode: household.districtCode,
                householdId: household.id,
                purpose: opts.purpose,
                personIds: adultsOn(members, today).map((a) => a.personId),
                signedOn: today,
                standing: opts.standing ?? false,
                attachmentId: attachment.id,
              });
              const created = await createRequest(tx, OPERATOR_CALLER, calendar, {
                districtCode: household.districtCode,
                householdId: household.id,
                purpose: opts.purpose,
              });
              await enqueueGathering(tx, household.districtCode);
              return created;
            });
          } catch (error) {
            if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
              throw new CliError(`找不到授权书文件：${opts.authorization}`);
            }
            return fail(error);
          } finally {
            await discardStaged(staging);
          }
        });
        process.stdout.write(`${view.id}\n`);
        process.stderr.write(
          `已受理核对委托 ${view.requestNo}：${view.purposeName}，${view.members.length} 名成员，应于 ${view.due.due} 前出具报告；各部门查询已排队\n`,
        );
      },
    );

  verify
    .command('show')
    .argument('<id>', '委托ID或委托编号 (request id or number)')
    .description('核对委托详情：各部门查询状态 (show a request)')
    .option('--json', '以 JSON 输出 (JSON output)')
    .action(async (key: string, opts: { json?: boolean }) => {
      const view = await withStore(async (store) => {
        const row = await requestOf(store.db, key);
        return getRequest(store.db, OPERATOR_CALLER, row).catch(fail);
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
        return;
      }
      const lines = [
        `委托编号：${view.requestNo}（${view.stateName}${view.partial ? '，部分部门未答复' : ''}）`,
        `家庭户：${view.householdNo ?? view.householdId}  ${view.streetName ?? ''}${view.committeeName ?? ''}`,
        `用途：${view.purposeName}    来源：${view.originName}    受理日期：${view.asOf}`,
        `应出具报告日期：${view.due.due}（${view.due.workingDays} 个工作日${view.due.provisional ? '，日历暂定' : ''}）${view.overdue ? '  已逾期' : ''}`,
        `成员：${view.members.map((m) => `${m.name}（${m.idNumberMasked}）`).join('、')}`,
        '',
        formatTable(
          ['部门', '状态', '次数', '答复时间', '说明'],
          view.sources.map((s) => [
            s.sourceName,
            s.stateName,
            String(s.attempts),
            s.answeredAt ?? '',
            s.error ?? '',
          ]),
        ),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
