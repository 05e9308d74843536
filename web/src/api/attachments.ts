import { download, http } from './request.ts';

/** The attachments API (src/http/routes/files.routes.ts): files attached to a person, a household, … */

export interface Attachment {
  id: string;
  districtCode: string;
  entityType: string;
  entityId: string;
  kind: string;
  kindName: string;
  name: string;
  size: number;
  contentType: string;
  typeName: string;
  sha256: string;
  uploadedBy: string | null;
  uploadedByName: string;
  uploadedAt: string;
  removedAt: string | null;
  removedBy: string | null;
  removedByName: string | null;
  removalReason: string | null;
}

export interface AttachmentRules {
  kinds: { kind: string; name: string }[];
  extensions: string[];
  acceptedText: string;
  maxBytes: number;
}

/** The record the attachments belong to; `district` for city-level users (others' is their own). */
export interface AttachmentOwner {
  entityType: string;
  entityId: string;
  district?: string | undefined;
}

const base = (owner: AttachmentOwner) =>
  `/api/attachments/${encodeURIComponent(owner.entityType)}/${encodeURIComponent(owner.entityId)}`;

export const attachmentsApi = {
  rules: () => http.get<AttachmentRules>('/api/attachments/kinds'),
  list: (owner: AttachmentOwner, removed: boolean) =>
    http.get<Attachment[]>(base(owner), { district: owner.district, removed }),
  upload: (owner: AttachmentOwner, file: File, kind: string) => {
    const form = new FormData();
    form.append('kind', kind);
    form.append('file', file, file.name);
    const query = owner.district ? `?district=${encodeURIComponent(owner.district)}` : '';
    return http.upload<Attachment>(`${base(owner)}${query}`, form, { silent: true });
  },
  download: (owner: AttachmentOwner, attachment: Attachment) =>
    download(`${base(owner)}/${attachment.id}/content`, { district: owner.district }, attachment.name),
  remove: (owner: AttachmentOwner, attachment: Attachment, reason: string) => {
    const query = owner.district ? `?district=${encodeURIComponent(owner.district)}` : '';
    return http.post<Attachment>(`${base(owner)}/${attachment.id}/remove${query}`, { reason });
  },
};

/** 12.3 KB, 3.4 MB: sizes as people read them. */
export function fileSizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  const mb = bytes / 1024 / 1024;
  return Number.isInteger(mb) ? `${mb} MB` : `${mb.toFixed(1)} MB`;
}
