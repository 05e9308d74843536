/**
 * The files module's errors, with stable codes (the HTTP layer maps them in errors.plugin.ts). Messages are
 * Chinese and reach the user as they are.
 */
export type FilesErrorCode =
  /** The name's extension is not one we accept, or the content is no type we accept. */
  | 'unsupported_type'
  /** The content is not what the name says (a PNG named .pdf). */
  | 'content_mismatch'
  | 'too_large'
  /** Bad input: an empty file, an unknown kind, a missing name. */
  | 'invalid'
  /** No such record or attachment (or not in the caller's scope: indistinguishable). */
  | 'not_found'
  /** The caller's role may not do this with attachments of this record type. */
  | 'forbidden'
  /** A stored file's content cannot be read (lost from the files folder): an operator's problem. */
  | 'content_missing';

export class FilesError extends Error {
  readonly code: FilesErrorCode;
  constructor(code: FilesErrorCode, message: string) {
    super(message);
    this.name = 'FilesError';
    this.code = code;
  }
}
