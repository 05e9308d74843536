import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { recordOnly } from '../workflow/unit-of-work.ts';
import { formatVerification } from '../audit/audit-text.ts';
import {
  auditFiles,
  createCheckpoint,
  verifyCheckpoints,
  type CheckpointReport,
} from '../audit/checkpoint.service.ts';
import {
  loadOrCreateSigningKey,
  loadSigningKey,
  parsePublicKey,
  publicKeyPem,
} from '../audit/signing-key.ts';
import { verifyAuditChain } from '../audit/verify.service.ts';
import { CliError, cliConfig, withStore } from './context.ts';

interface VerifyOptions {
  checkpoints?: string;
  publicKey?: string;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new CliError(`无法读取${what} ${path}`);
  }
}

function publicKeyFor(options: VerifyOptions, keyFile: string) {
  if (options.publicKey) return parsePublicKey(readText(options.publicKey, '公钥文件'));
  const local = loadSigningKey(keyFile);
  if (!local) {
    throw new CliError(`没有可用的公钥：请用 --public-key 指定（本机密钥文件 ${keyFile} 不存在）`);
  }
  return local.publicKey;
}

async function verifyCommand(options: VerifyOptions): Promise<void> {
  const { chain, checkpoints } = await withStore(async (store, config) => {
    const chain = await verifyAuditChain(store);
    let checkpoints: CheckpointReport | undefined;
    if (options.checkpoints) {
      const text = readText(options.checkpoints, '检查点文件');
      const key = publicKeyFor(options, auditFiles(config).keyFile);
      checkpoints = await verifyCheckpoints(store.db, text, key, chain);
    }
    return { chain, checkpoints };
  });
  const { lines, ok, summary } = formatVerification(chain, checkpoints);
  for (const line of lines) process.stdout.write(`${line}\n`);
  if (!ok) throw new CliError(summary);
  process.stdout.write(`${summary}\n`);
}

async function checkpointCommand(): Promise<void> {
  const { checkpoint, file } = await withStore(async (store, config) => {
    const files = auditFiles(config);
    const { checkpoint } = await createCheckpoint(store, files);
    await recordOnly(
      store,
      { userId: `cli:${userInfo().username}`, divisionCode: null },
      '命令行签署审计检查点',
      {
        action: 'audit.checkpoint',
        entityType: 'audit_log',
        after: {
          count: checkpoint.count,
          lastId: checkpoint.lastId,
          lastHash: checkpoint.lastHash,
          keyId: checkpoint.keyId,
        },
      },
    );
    return { checkpoint, file: files.checkpointFile };
  });
  process.stdout.write(
    `已签署检查点：共 ${checkpoint.count} 条，末条第 ${checkpoint.lastId} 条，哈希 ${checkpoint.lastHash.slice(0, 16)}…（密钥 ${checkpoint.keyId}）\n` +
      `已追加到 ${file}；请把它复制到本机以外保存（见 docs/security.md）\n`,
  );
}

function publicKeyCommand(): void {
  const key = loadOrCreateSigningKey(auditFiles(cliConfig()).keyFile);
  process.stdout.write(publicKeyPem(key.publicKey));
  process.stderr.write(
    `密钥编号 ${key.keyId}；请把以上公钥保存到本机以外，用 audit verify --public-key 校验检查点\n`,
  );
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('审计日志 (audit log)');
  audit
    .command('verify')
    .description(
      '校验审计日志：逐条检查哈希链，列出每一条被修改、删除、插入或调换的记录；有问题时以 1 退出 (verify the chain)',
    )
    .option('--checkpoints <file>', '同时对照检查点文件（audit checkpoint 生成）校验签名与日志')
    .option('--public-key <file>', '校验检查点签名的公钥（audit public-key 输出）；默认用本机密钥文件')
    .action((options: VerifyOptions) => verifyCommand(options));
  audit
    .command('checkpoint')
    .description('签署审计检查点：校验日志后用 Ed25519 密钥签署链头，追加到检查点文件 (sign a checkpoint)')
    .action(() => checkpointCommand());
  audit
    .command('public-key')
    .description('输出审计检查点的公钥（PEM），供保存到本机以外 (print the public key)')
    .action(() => publicKeyCommand());
}
