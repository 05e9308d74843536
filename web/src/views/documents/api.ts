import { download, downloadPost, http } from '../../api/request.ts';
import type { DocumentSource, PrintDocument } from './data.ts';

/** A document as JSON (the page) or as its PDF (the download), from the same address and request. */
export const documentsApi = {
  load: (source: DocumentSource) =>
    source.method === 'GET'
      ? http.get<PrintDocument>(source.path, source.query, { silent: true })
      : http.post<PrintDocument>(source.path, source.body, { silent: true }),
  downloadPdf: (source: DocumentSource, fallbackName: string) =>
    source.method === 'GET'
      ? download(`${source.path}.pdf`, source.query, `${fallbackName}.pdf`)
      : downloadPost(`${source.path}.pdf`, source.body, `${fallbackName}.pdf`),
};
