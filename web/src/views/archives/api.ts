import { download, http } from '../../api/request.ts';
import type { ArchiveView } from '../../../../src/archives/archive.types.ts';

export type {
  ArchiveItem,
  ArchiveKind,
  ArchiveLink,
  ArchiveView,
} from '../../../../src/archives/archive.types.ts';
export { ARCHIVE_EMPTY, ARCHIVE_KIND_NAMES, ARCHIVE_KINDS } from '../../../../src/archives/archive.types.ts';

/** 电子档案 (docs/archives.md): a person's (`persons`) or a household's (`households`) whole record. */
export type RecipientSegment = 'persons' | 'households';

export const archivesApi = {
  get: (segment: RecipientSegment, district: string, id: string) =>
    http.get<ArchiveView>(`/api/archives/${segment}/${district}/${id}`, undefined, { silent: true }),
  pdf: (segment: RecipientSegment, district: string, id: string, name: string) =>
    download(`/api/archives/${segment}/${district}/${id}/archive.pdf`, {}, `电子档案-${name}.pdf`),
};
