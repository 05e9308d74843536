import type { CheckpointReport } from './checkpoint.service.ts';
import type { VerifyReport } from './verify.service.ts';

/** A verification as the CLI prints it: one line a problem, and the summary line. */
export function formatVerification(
  chain: VerifyReport,
  checkpoints?: CheckpointReport,
): { lines: string[]; ok: boolean; summary: string } {
  const lines = chain.problems.map((problem) => `  ${problem.message}`);
  if (chain.undiagnosed > 0) lines.push(`  另有 ${chain.undiagnosed} 处异常未逐条诊断（改动范围过大）`);
  const chainProblems = chain.problems.length + (chain.undiagnosed > 0 ? 1 : 0);
  if (checkpoints) {
    const latest = checkpoints.latest;
    lines.push(
      `检查点：${checkpoints.checked} 个（密钥 ${checkpoints.keyId}）` +
        (latest ? `，最新一个记录到第 ${latest.lastId} 条（${latest.at}）` : '，没有签名有效的检查点'),
    );
    lines.push(...checkpoints.problems.map((problem) => `  ${problem.message}`));
  }
  const checkpointProblems = checkpoints?.problems.length ?? 0;
  const ok = chainProblems === 0 && checkpointProblems === 0 && (!checkpoints || checkpoints.latest !== null);
  if (ok) {
    const suffix = checkpoints ? `；${checkpoints.checked} 个检查点全部相符` : '';
    return { lines, ok, summary: `审计日志完整：${chain.count} 条${suffix}` };
  }
  const parts: string[] = [];
  if (chainProblems > 0) parts.push(`日志 ${chainProblems} 处问题`);
  if (checkpointProblems > 0) parts.push(`检查点 ${checkpointProblems} 处问题`);
  if (checkpoints && checkpoints.latest === null && checkpointProblems === 0)
    parts.push('没有可对照的检查点');
  return { lines, ok, summary: `审计日志不完整：${parts.join('，')}（日志共 ${chain.count} 条）` };
}
