/** Test support for upload routes (not a test file itself): multipart/form-data bodies for app.inject. */

export const BOUNDARY = '----mztestboundary';

export interface MultipartBody {
  payload: Buffer;
  headers: { 'content-type': string };
}

/** The text fields first, then the file (as the console sends them), or fields only. */
export function multipart(
  file: { name: string; content: string | Buffer } | null,
  fields: Record<string, string>,
): MultipartBody {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n`,
      ),
      Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
  };
}
