/**
 * The e-archive's errors, with stable codes (src/http/plugins/errors.plugin.ts maps them to HTTP in one
 * table). Absent and out of scope read alike: the message must not tell the caller that the recipient exists.
 */
export type ArchiveErrorCode = 'not_found' | 'forbidden';

export class ArchiveError extends Error {
  readonly code: ArchiveErrorCode;
  constructor(code: ArchiveErrorCode, message: string) {
    super(message);
    this.name = 'ArchiveError';
    this.code = code;
  }
}

export const RECIPIENT_NOT_FOUND = '救助对象不存在或不在您的数据范围内';
