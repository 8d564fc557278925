/** A row of files.files as the service reads it (bigint sizes come back as strings from pg). */
export interface FileRow {
  id: string;
  chat_id: string;
  origin: 'upload' | 'channel';
  uploaded_by: string | null;
  message_id: string | null;
  attachment_index: number | null;
  state: 'pending' | 'stored' | 'failed';
  failure: string | null;
  file_name: string | null;
  mime_type: string | null;
  kind: string;
  size_bytes: string | null;
  sha256: string | null;
  storage_key: string | null;
  /** The WebP preview of an image, when one was made. */
  thumbnail_key: string | null;
  created_at: Date;
}

export const FILE_COLUMNS =
  'id, chat_id, origin, uploaded_by, message_id, attachment_index, state, failure, file_name, mime_type, kind, size_bytes, sha256, storage_key, thumbnail_key, created_at';
