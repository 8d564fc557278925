import type { DataSource } from 'typeorm';
import { FILE_COLUMNS, type FileRow } from './file.row';

/** SQL of files.files and files.chats; no other module of the service writes them. */
export class FileRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(id: string): Promise<FileRow | undefined> {
    const rows = (await this.dataSource.query(`SELECT ${FILE_COLUMNS} FROM files.files WHERE id = $1`, [id])) as FileRow[];
    return rows[0];
  }

  async insertUpload(row: {
    id: string;
    chatId: string;
    uploadedBy: string;
    fileName: string;
    mimeType: string;
    kind: string;
    sizeBytes: number;
    sha256: string;
    storageKey: string;
    thumbnailKey: string | undefined;
  }): Promise<FileRow> {
    const rows = (await this.dataSource.query(
      `INSERT INTO files.files (id, chat_id, origin, uploaded_by, state, file_name, mime_type, kind, size_bytes, sha256, storage_key, thumbnail_key, stored_at)
       VALUES ($1, $2, 'upload', $3, 'stored', $4, $5, $6, $7, $8, $9, $10, now()) RETURNING ${FILE_COLUMNS}`,
      [row.id, row.chatId, row.uploadedBy, row.fileName, row.mimeType, row.kind, row.sizeBytes, row.sha256, row.storageKey, row.thumbnailKey ?? null],
    )) as FileRow[];
    return rows[0]!;
  }

  /** A chat's files, newest first; `after` is the (created_at, id) of the last row of the previous page. */
  async listByChat(chatId: string, page: { first: number; after?: { createdAt: Date; id: string } | undefined }): Promise<FileRow[]> {
    const params: unknown[] = [chatId, page.first + 1];
    let after = '';
    if (page.after) {
      params.push(page.after.createdAt, page.after.id);
      after = 'AND (created_at, id) < ($3, $4)';
    }
    return (await this.dataSource.query(
      `SELECT ${FILE_COLUMNS} FROM files.files WHERE chat_id = $1 ${after} ORDER BY created_at DESC, id DESC LIMIT $2`,
      params,
    )) as FileRow[];
  }

  async rememberChat(chat: { chatId: string; channel: string; connectionId: string }): Promise<void> {
    await this.dataSource.query(`INSERT INTO files.chats (chat_id, channel, connection_id) VALUES ($1, $2, $3) ON CONFLICT (chat_id) DO NOTHING`, [
      chat.chatId,
      chat.channel,
      chat.connectionId,
    ]);
  }

  async chatSource(chatId: string): Promise<{ channel: string; connectionId: string } | undefined> {
    const rows = (await this.dataSource.query(`SELECT channel, connection_id FROM files.chats WHERE chat_id = $1`, [chatId])) as { channel: string; connection_id: string }[];
    return rows[0] ? { channel: rows[0].channel, connectionId: rows[0].connection_id } : undefined;
  }

  /**
   * Registers a channel attachment as pending, once: a redelivered event finds the existing row (whatever
   * its state) and gets it back, so a stored file is not fetched again.
   */
  async claimChannelMedia(row: {
    id: string;
    chatId: string;
    messageId: string;
    attachmentIndex: number;
    platformFileId: string | undefined;
    fileName: string | undefined;
    mimeType: string | undefined;
    kind: string;
  }): Promise<FileRow> {
    await this.dataSource.query(
      `INSERT INTO files.files (id, chat_id, origin, message_id, attachment_index, platform_file_id, state, file_name, mime_type, kind)
       VALUES ($1, $2, 'channel', $3, $4, $5, 'pending', $6, $7, $8)
       ON CONFLICT (message_id, attachment_index) WHERE message_id IS NOT NULL DO NOTHING`,
      [row.id, row.chatId, row.messageId, row.attachmentIndex, row.platformFileId ?? null, row.fileName ?? null, row.mimeType ?? null, row.kind],
    );
    const rows = (await this.dataSource.query(`SELECT ${FILE_COLUMNS} FROM files.files WHERE message_id = $1 AND attachment_index = $2`, [
      row.messageId,
      row.attachmentIndex,
    ])) as FileRow[];
    return rows[0]!;
  }

  async markStored(
    id: string,
    stored: { mimeType: string; kind: string; sizeBytes: number; sha256: string; storageKey: string; thumbnailKey: string | undefined },
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE files.files SET state = 'stored', failure = NULL, mime_type = $2, kind = $3, size_bytes = $4, sha256 = $5, storage_key = $6,
         thumbnail_key = $7, stored_at = now()
       WHERE id = $1`,
      [id, stored.mimeType, stored.kind, stored.sizeBytes, stored.sha256, stored.storageKey, stored.thumbnailKey ?? null],
    );
  }

  /** A file that can never be fetched (gone at the platform, too large, forbidden content): kept with the reason. */
  async markFailed(id: string, failure: string): Promise<void> {
    await this.dataSource.query(`UPDATE files.files SET state = 'failed', failure = $2 WHERE id = $1 AND state = 'pending'`, [id, failure]);
  }

  /** Removes a deleted chat's rows and answers the storage keys whose bytes must go too (thumbnails included). */
  async deleteChat(chatId: string): Promise<string[]> {
    // A CTE, because TypeORM answers a bare DELETE ... RETURNING as [rows, count].
    const rows = (await this.dataSource.query(
      `WITH gone_chat AS (DELETE FROM files.chats WHERE chat_id = $1), gone AS (DELETE FROM files.files WHERE chat_id = $1 RETURNING storage_key, thumbnail_key)
       SELECT storage_key, thumbnail_key FROM gone`,
      [chatId],
    )) as { storage_key: string | null; thumbnail_key: string | null }[];
    return rows.flatMap((r) => [r.storage_key, r.thumbnail_key]).filter((key): key is string => key !== null);
  }
}
