import { randomUUID } from 'node:crypto';
import { SNIFF_BYTES } from '../content/content-sniffer';
import { FILE_REFUSALS, FileRefusedError, classifyChannelMedia, classifyUpload, cleanFileName } from '../content/file-classification';
import { sha256Hex } from '../storage/aws-sigv4';
import { storageKeyFor, thumbnailKeyFor, type FileStorage } from '../storage/file-storage';
import { THUMBNAIL_MIME_TYPE, type Thumbnailer } from '../thumbnails/thumbnailer';
import type { FileRepository } from './file.repository';
import type { FileRow } from './file.row';

/**
 * Puts bytes into the storage and records them: an operator's upload (checked against the size limit
 * and sniffed, disguised files refused) or a customer's media from a channel, with a thumbnail for images.
 * Bytes and thumbnail are written before the row, so a row in state "stored" always has its bytes; a crash
 * in between leaves only orphan objects, never a row pointing at nothing.
 */
export class FileStoreService {
  constructor(
    private readonly files: FileRepository,
    private readonly storage: FileStorage,
    readonly maxBytes: number,
    private readonly thumbnails: Thumbnailer,
  ) {}

  async storeUpload(params: { chatId: string; employeeId: string; fileName: string; bytes: Buffer }): Promise<FileRow> {
    const fileName = cleanFileName(params.fileName);
    if (params.bytes.length === 0) throw new FileRefusedError(FILE_REFUSALS.empty, `"${fileName}" is empty`);
    const type = classifyUpload({ fileName, head: params.bytes.subarray(0, SNIFF_BYTES) });
    const id = randomUUID();
    const storageKey = storageKeyFor(id);
    await this.storage.put(storageKey, params.bytes, type.mimeType);
    const thumbnailKey = await this.storeThumbnail(id, params.bytes, type.mimeType);
    return this.files.insertUpload({
      id,
      chatId: params.chatId,
      uploadedBy: params.employeeId,
      fileName,
      mimeType: type.mimeType,
      kind: type.kind,
      sizeBytes: params.bytes.length,
      sha256: sha256Hex(params.bytes),
      storageKey,
      thumbnailKey,
    });
  }

  /** Stores the bytes of a pending channel attachment (its row claimed before the fetch). */
  async storeChannelMedia(row: FileRow, bytes: Buffer, declaredMimeType: string | undefined): Promise<void> {
    const type = classifyChannelMedia({ head: bytes.subarray(0, SNIFF_BYTES), declaredMimeType });
    const storageKey = storageKeyFor(row.id);
    await this.storage.put(storageKey, bytes, type.mimeType);
    const thumbnailKey = await this.storeThumbnail(row.id, bytes, type.mimeType);
    await this.files.markStored(row.id, {
      mimeType: type.mimeType,
      // The platform's kind (voice, sticker, ...) says more than the sniffed family; keep it when given.
      kind: row.kind,
      sizeBytes: bytes.length,
      sha256: sha256Hex(bytes),
      storageKey,
      thumbnailKey,
    });
  }

  /** The thumbnail's storage key, when the image has one. */
  private async storeThumbnail(fileId: string, bytes: Buffer, mimeType: string): Promise<string | undefined> {
    const thumbnail = await this.thumbnails.make(bytes, mimeType, { fileId });
    if (!thumbnail) return undefined;
    const key = thumbnailKeyFor(fileId);
    await this.storage.put(key, thumbnail, THUMBNAIL_MIME_TYPE);
    return key;
  }
}
