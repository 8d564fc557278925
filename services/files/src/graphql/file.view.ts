import type { FileRow } from '../files/file.row';
import { downloadPath, thumbnailPath, type PublicBaseUrl } from '../http/file-links';
import type { LinkTokens } from '../tokens/link-tokens';

export interface FileView {
  id: string;
  chatId: string;
  origin: 'UPLOAD' | 'CHANNEL';
  messageId: string | null;
  attachmentIndex: number | null;
  uploadedById: string | null;
  state: 'PENDING' | 'STORED' | 'FAILED';
  failure: string | null;
  fileName: string | null;
  mimeType: string | null;
  kind: string;
  sizeBytes: number | null;
  sha256: string | null;
  createdAt: string;
  /** Only for stored files, and only built for callers already checked against the chat's visibility. */
  downloadUrl: string | null;
  downloadUrlExpiresAt: string | null;
  /** An image's WebP preview, signed like downloadUrl (same token, same expiry); null when there is none. */
  thumbnailUrl: string | null;
}

/** The client's view of a file; callers must have checked that the viewer may see the file's chat. */
export function fileView(row: FileRow, links: { links: LinkTokens; publicUrl: PublicBaseUrl; ttlSeconds: number }): FileView {
  const link = row.state === 'stored' ? links.links.sign('download', { fileId: row.id }, links.ttlSeconds) : undefined;
  return {
    id: row.id,
    chatId: row.chat_id,
    origin: row.origin === 'upload' ? 'UPLOAD' : 'CHANNEL',
    messageId: row.message_id,
    attachmentIndex: row.attachment_index,
    uploadedById: row.uploaded_by,
    state: row.state.toUpperCase() as FileView['state'],
    failure: row.failure,
    fileName: row.file_name,
    mimeType: row.mime_type,
    kind: row.kind,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    sha256: row.sha256,
    createdAt: new Date(row.created_at).toISOString(),
    downloadUrl: link ? links.publicUrl.link(downloadPath(row.id), { token: link.token }) : null,
    downloadUrlExpiresAt: link ? link.expiresAt.toISOString() : null,
    thumbnailUrl: link && row.thumbnail_key ? links.publicUrl.link(thumbnailPath(row.id), { token: link.token }) : null,
  };
}
