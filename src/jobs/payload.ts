import type { z } from 'zod';
import { JobError } from './jobs.errors.ts';

const CJK = /[\u3400-\u9fff]/;

/** One zod issue in Chinese: the schema's own message when it is Chinese, else one by the issue's kind. */
function issueText(issue: z.core.$ZodIssue): string {
  if (CJK.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? '缺少此项' : `类型应为 ${issue.expected}`;
    case 'too_small':
      return `不能小于 ${String(issue.minimum)}`;
    case 'too_big':
      return `不能大于 ${String(issue.maximum)}`;
    case 'invalid_format':
      return '格式不正确';
    case 'unrecognized_keys':
      return `不认识的参数：${issue.keys.join('、')}`;
    case 'invalid_value':
      return `只能是 ${issue.values.map((v) => JSON.stringify(v)).join('、')} 之一`;
    case 'custom':
    case 'invalid_element':
    case 'invalid_key':
    case 'invalid_union':
    case 'not_multiple_of':
      return '不合法';
  }
}

/**
 * Validates a job's payload with its kind's schema: the parsed payload, or a JobError (400) naming every
 * problem in Chinese ("任务参数不合法：month：格式不正确；…"). Nothing is written before this passes.
 */
export function parsePayload<P>(schema: z.ZodType<P>, label: string, payload: unknown): P {
  const parsed = schema.safeParse(payload ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}：` : '';
    return `${where}${issueText(issue)}`;
  });
  throw new JobError('invalid_payload', `${label}的任务参数不合法：${problems.join('；')}`);
}
