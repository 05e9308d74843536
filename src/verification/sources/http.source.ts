import { ANSWER_KINDS, SOURCES, sourceAnswers, type SourceCode } from './catalogue.ts';
import type { AnswerRow, SendOutcome, SourceAdapter, SourceBatch } from './source.ts';

/**
 * 接口对接: a source reached over HTTP. One POST per batch (never one per request) of JSON to the source's
 * endpoint, `Authorization: Bearer <token>` (the token from the environment variable the settings name),
 * `Idempotency-Key: <batchRef>` (a receiver that saw the key answers the same again), aborted after
 * `timeoutMs`. The contract is in docs/verification-sources.md.
 *
 * One try per send: a failed try sends the requests back to pending and the gathering job tries again after
 * a backoff, up to `maxAttempts` sends (gather.service.ts); a try that times out leaves them sent, and the
 * job's timeout sweep makes them pending again or — the last attempt — timed out (the report then states the
 * gap). A source that answers rows of kinds it does not declare fails those requests with the reason.
 */

export interface HttpSourceSettings {
  endpoint: string;
  /** The bearer token (read from the environment variable the settings name, at start). */
  token: string | undefined;
  timeoutMs: number;
  maxAttempts: number;
}

interface WireAnswer {
  requestId?: unknown;
  rows?: unknown;
}

export class HttpSource implements SourceAdapter {
  readonly source: SourceCode;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  private readonly settings: HttpSourceSettings;

  constructor(source: SourceCode, settings: HttpSourceSettings) {
    this.source = source;
    this.settings = settings;
    this.timeoutMs = settings.timeoutMs;
    this.maxAttempts = settings.maxAttempts;
  }

  async send(batch: SourceBatch): Promise<SendOutcome> {
    const ids = batch.queries.map((q) => q.requestId);
    const name = SOURCES[this.source].name;
    const failAll = (reason: string): SendOutcome => ({
      answered: new Map(),
      failed: new Map(ids.map((id) => [id, reason])),
      waiting: [],
    });
    const body = {
      source: this.source,
      batchRef: batch.batchRef,
      queries: batch.queries.map((q) => ({
        requestId: q.requestId,
        requestNo: q.requestNo,
        districtCode: q.districtCode,
        purpose: q.purpose,
        authorisationRefs: q.authorisationRefs,
        asOf: q.asOf,
        persons: q.persons,
      })),
    };
    let response: Response;
    try {
      response = await fetch(this.settings.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': batch.batchRef,
          ...(this.settings.token ? { authorization: `Bearer ${this.settings.token}` } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
        // No answer in time: the requests stay sent until their time passes (the job's timeout sweep).
        return { answered: new Map(), failed: new Map(), waiting: ids };
      }
      return failAll(`${name}接口无法连接：${error instanceof Error ? error.message : String(error)}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch {
      return { answered: new Map(), failed: new Map(), waiting: ids };
    }
    if (!response.ok) {
      return failAll(`${name}接口答复 HTTP ${response.status}${text ? `：${text.slice(0, 200)}` : ''}`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return failAll(`${name}接口答复不是有效的 JSON`);
    }
    return this.outcome(ids, data);
  }

  /** The response, request by request: a request with a malformed row fails whole, with the problem named. */
  private outcome(ids: readonly string[], data: unknown): SendOutcome {
    const answered = new Map<string, AnswerRow[]>();
    const failed = new Map<string, string>();
    const waiting: string[] = [];
    const asked = new Set(ids);
    const d = (data ?? {}) as { answered?: unknown; failed?: unknown; waiting?: unknown };
    for (const item of Array.isArray(d.answered) ? (d.answered as WireAnswer[]) : []) {
      const requestId = typeof item?.requestId === 'string' ? item.requestId : '';
      if (!asked.has(requestId)) continue;
      const rows: AnswerRow[] = [];
      let problem: string | undefined;
      for (const [i, raw] of (Array.isArray(item.rows) ? (item.rows as unknown[]) : []).entries()) {
        const parsed = this.row(requestId, raw);
        if (typeof parsed === 'string') {
          problem = `第 ${i + 1} 行：${parsed}`;
          break;
        }
        rows.push(parsed);
      }
      if (problem) failed.set(requestId, `${SOURCES[this.source].name}接口答复格式有误（${problem}）`);
      else answered.set(requestId, rows);
    }
    for (const item of Array.isArray(d.failed)
      ? (d.failed as { requestId?: unknown; reason?: unknown }[])
      : []) {
      const requestId = typeof item?.requestId === 'string' ? item.requestId : '';
      if (asked.has(requestId) && !answered.has(requestId)) {
        failed.set(
          requestId,
          `${SOURCES[this.source].name}：${typeof item.reason === 'string' ? item.reason : '拒绝查询'}`,
        );
      }
    }
    for (const requestId of Array.isArray(d.waiting) ? d.waiting : []) {
      if (
        typeof requestId === 'string' &&
        asked.has(requestId) &&
        !answered.has(requestId) &&
        !failed.has(requestId)
      ) {
        waiting.push(requestId);
      }
    }
    for (const id of ids) {
      if (!answered.has(id) && !failed.has(id) && !waiting.includes(id)) {
        failed.set(id, `${SOURCES[this.source].name}接口答复中没有该委托`);
      }
    }
    return { answered, failed, waiting };
  }

  private row(requestId: string, raw: unknown): AnswerRow | string {
    const r = (raw ?? {}) as { personId?: unknown; kind?: unknown; value?: unknown; reference?: unknown };
    const kind = typeof r.kind === 'string' ? r.kind : '';
    if (typeof r.personId !== 'string' || r.personId === '') return '缺少 personId';
    if (!sourceAnswers(this.source, kind)) return `类别「${kind}」不是${SOURCES[this.source].name}答复的类别`;
    const base = {
      requestId,
      personId: r.personId,
      kind,
      reference: typeof r.reference === 'string' ? r.reference : '',
    };
    const type = ANSWER_KINDS[kind].value;
    const v = r.value;
    if (type === 'fen' || type === 'quantity') {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
        return `${ANSWER_KINDS[kind].label}应为非负整数（${type === 'fen' ? '分' : '个数'}）`;
      }
      return type === 'fen' ? { ...base, amountFen: v } : { ...base, quantity: v };
    }
    if (type === 'flag') {
      if (typeof v !== 'boolean') return `${ANSWER_KINDS[kind].label}应为 true 或 false`;
      return { ...base, flag: v };
    }
    if (typeof v !== 'string' || v === '') return `${ANSWER_KINDS[kind].label}应为非空文字`;
    return { ...base, textValue: v };
  }
}
