import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SigningKeyError } from '../../audit/signing-key.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { buildAdapters, loadSourceSettings } from '../../verification/sources/adapters.ts';
import { answerRequestPackage } from '../../verification/exchange/answer.service.ts';
import { ownExchangeKey, ownKeyView } from '../../verification/exchange/exchange.keys.ts';
import {
  exportRequestPackage,
  importAnswerPackage,
  importingPackage,
} from '../../verification/exchange/exchange.service.ts';
import { addPeerKey, listPeerKeys } from '../../verification/exchange/peer-keys.service.ts';
import { PackageRefused, packageText } from '../../verification/exchange/package.ts';
import { CliError, cliConfig, withStore } from '../context.ts';
import { formatTable } from '../table.ts';
import { cliActor, fail, OPERATOR_CALLER, requestOf } from './cli-support.ts';

/**
 * `verify package export|import|answer` and `verify keys add|list|show-own`: 异地协查 at the terminal
 * (docs/verification-exchange.md). Packages are files the operator carries to and from the other region;
 * every import is checked before anything is written, and a refused one leaves only its audit row.
 */

function refused(error: unknown): never {
  // A refusal's message already says what was refused and why; its problems are in it.
  if (error instanceof PackageRefused) throw new CliError(error.message);
  return fail(error);
}

/** Our exchange key (created on first use); a key file we cannot use is one line, not a stack. */
function ourKey(dataDir: string) {
  try {
    return ownExchangeKey(dataDir);
  } catch (error) {
    if (error instanceof SigningKeyError) throw new CliError(error.message);
    throw error;
  }
}

function readPackage(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`无法读取协查包文件：${file}`);
  }
}

/** The output file must not exist: a package is written once, after its unit committed. */
function checkOut(out: string): void {
  if (existsSync(out)) throw new CliError(`输出文件已存在：${out}（协查包不覆盖已有文件）`);
}

interface ReasonOption {
  reason: string;
}

export function registerVerifyPackageCommands(verify: Command): void {
  const pkg = verify
    .command('package')
    .description('异地协查包：导出请求包、导入答复包、答复外地请求 (cross-region packages)');

  pkg
    .command('export')
    .argument('<request>', '核对委托编号（HD-…）或ID')
    .description('导出异地协查请求包（以本方密钥签名），对方答复前“异地核对机构”一项为待答复 (export)')
    .requiredOption('--to <region>', '协查地区的6位行政区划代码（须已登记该地区的公钥）')
    .requiredOption('--out <file>', '协查包文件 (output file)')
    .option('--reason <text>', '事由，记入审计 (reason; audited)', '导出异地协查请求包')
    .action(async (key: string, opts: ReasonOption & { to: string; out: string }) => {
      checkOut(opts.out);
      const result = await withStore(async (store, config) => {
        const found = await requestOf(store.db, key);
        const signing = ourKey(config.MINZHENG_DATA_DIR);
        return inUnitOfWork(store, cliActor(opts.reason), (tx) =>
          exportRequestPackage(tx, OPERATOR_CALLER, signing, {
            districtCode: found.districtCode,
            requestId: found.id,
            toRegion: opts.to.trim(),
          }),
        ).catch(fail);
      });
      writeFileSync(opts.out, packageText(result.file), { flag: 'wx', mode: 0o600 });
      const p = result.file.payload;
      process.stdout.write(
        `已导出：核对委托 ${result.requestNo} 的异地协查请求包 → ${p.to.region}（${result.peerAuthority}），` +
          `${p.persons.length} 人，${p.expiresAt} 前有效\n协查包编号 ${p.packageId}，文件 ${opts.out}\n`,
      );
    });

  pkg
    .command('import')
    .argument('<file>', '对方的协查答复包')
    .description(
      '导入异地协查答复包：核验签名、有效期、是否重复及是否为本方所发请求的答复 (import an answer)',
    )
    .option('--reason <text>', '事由，记入审计 (reason; audited)', '导入异地协查答复包')
    .action(async (file: string, opts: ReasonOption) => {
      const text = readPackage(file);
      const result = await withStore((store) =>
        importingPackage(store, cliActor(opts.reason), (tx) =>
          importAnswerPackage(tx, OPERATOR_CALLER, text),
        ).catch(refused),
      );
      const lines = [
        `已导入：核对委托 ${result.requestNo} 的异地答复（${result.from.authority}），登记 ${result.rows} 条；` +
          `查到 ${result.found} 人，无记录 ${result.noRecord} 人`,
      ];
      if (result.gaps.length > 0) lines.push(`对方未能答复：${result.gaps.join('；')}`);
      if (result.late) lines.push('答复晚于协查期限，已保留但不计入核对结果');
      else if (result.reported) lines.push('各数据源均已答复，已出具核对报告');
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  pkg
    .command('answer')
    .argument('<file>', '外地的协查请求包')
    .description(
      '答复外地的协查请求：按身份证号在本方人口库查找，向本方数据源查询，输出签名的答复包 (answer)',
    )
    .requiredOption('--out <file>', '答复包文件 (output file)')
    .option('--reason <text>', '事由，记入审计 (reason; audited)', '答复异地协查请求')
    .action(async (file: string, opts: ReasonOption & { out: string }) => {
      const text = readPackage(file);
      checkOut(opts.out);
      const result = await withStore(async (store, config) => {
        const signing = ourKey(config.MINZHENG_DATA_DIR);
        const settings = loadSourceSettings(config.MINZHENG_VERIFICATION_SOURCES, config.MINZHENG_DATA_DIR);
        const adapters = [...buildAdapters(settings, store.db).values()];
        return answerRequestPackage(
          store,
          cliActor(opts.reason),
          OPERATOR_CALLER,
          signing,
          text,
          adapters,
        ).catch(refused);
      });
      writeFileSync(opts.out, packageText(result.file), { flag: 'wx', mode: 0o600 });
      const lines = [
        `已答复：${result.from.authority} 的协查请求（${result.file.payload.requestNo}），查到 ${result.found} 人，` +
          `无记录 ${result.noRecord} 人，答复 ${result.rows} 条`,
        `答复包 ${result.file.payload.packageId}，文件 ${opts.out}`,
      ];
      if (result.gaps.length > 0) lines.push(`未能答复：${result.gaps.join('；')}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  const keys = verify
    .command('keys')
    .description('异地协查密钥：对端公钥的登记与查看，本方公钥 (exchange keys)');

  keys
    .command('add')
    .description('登记对端核对机构的公钥（请通过电话等另一渠道与对方核对密钥编号）(add a peer key)')
    .requiredOption('--region <code>', '对方地区的6位行政区划代码（省、市级代码的公钥可签其下各地的协查包）')
    .requiredOption('--authority <name>', '对方核对机构名称')
    .requiredOption('--public-key <hex>', '对方公钥：64位十六进制（对方 verify keys show-own 的输出）')
    .option('--valid-from <YYYY-MM-DD>', '生效日期，默认今天')
    .option('--valid-to <YYYY-MM-DD>', '失效日期（不含当日）；不填为长期')
    .option('--reason <text>', '事由，记入审计 (reason; audited)', '登记异地协查对端公钥')
    .action(
      async (
        opts: ReasonOption & {
          region: string;
          authority: string;
          publicKey: string;
          validFrom?: string;
          validTo?: string;
        },
      ) => {
        const view = await withStore((store) =>
          inUnitOfWork(store, cliActor(opts.reason), (tx) =>
            addPeerKey(tx, OPERATOR_CALLER, {
              region: opts.region.trim(),
              authority: opts.authority,
              publicKey: opts.publicKey,
              validFrom: opts.validFrom,
              validTo: opts.validTo,
            }),
          ).catch(fail),
        );
        process.stdout.write(
          `已登记：${view.authority}（${view.region}）的公钥，密钥编号 ${view.keyId}，` +
            `${view.validFrom} 起${view.validTo ? `至 ${view.validTo}（不含）` : '长期'}有效\n`,
        );
      },
    );

  keys
    .command('list')
    .description('列出已登记的对端公钥 (list peer keys)')
    .action(async () => {
      const rows = await withStore((store) =>
        listPeerKeys(store.db, OPERATOR_CALLER, shanghaiToday()).catch(fail),
      );
      if (rows.length === 0) {
        process.stdout.write('尚未登记对端公钥（verify keys add）\n');
        return;
      }
      const table = formatTable(
        ['地区', '核对机构', '密钥编号', '生效', '失效', '状态', '公钥'],
        rows.map((k) => [
          k.region,
          k.authority,
          k.keyId,
          k.validFrom,
          k.validTo ?? '长期',
          k.statusName,
          k.publicKey,
        ]),
      );
      process.stdout.write(`${table}\n`);
    });

  keys
    .command('show-own')
    .description('显示本方公钥，交对方登记；首次使用时在数据目录生成密钥 (show our public key)')
    .action(() => {
      const own = ownKeyView(ourKey(cliConfig().MINZHENG_DATA_DIR));
      process.stdout.write(`密钥编号 ${own.keyId}\n公钥 ${own.publicKey}\n`);
    });
}
