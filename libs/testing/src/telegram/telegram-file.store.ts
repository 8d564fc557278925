import { randomBytes } from 'node:crypto';
import type { TgPhotoSize } from './telegram-api.types';

// Files known to the double, addressable by file_id (getFile, re-sending) and by file_path
// (download URL). file_ids look like Telegram's opaque base64url strings so that a connector which
// wrongly assumes a format (length, charset) fails here and not in production.

export type FileFolder = 'photos' | 'documents' | 'voice' | 'stickers' | 'videos' | 'music' | 'animations';

export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  filePath: string;
  bytes: Buffer;
  mimeType?: string;
  fileName?: string;
}

export interface RegisterFileInput {
  folder: FileFolder;
  bytes: Buffer;
  extension: string;
  mimeType?: string;
  fileName?: string;
}

/** Bots may download files up to 20 MB through getFile. */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

export class TelegramFileStore {
  private readonly byFileId = new Map<string, StoredFile>();
  private readonly byFilePath = new Map<string, StoredFile>();
  private readonly photoSets = new Map<string, TgPhotoSize[]>();
  private counter = 0;

  register(input: RegisterFileInput): StoredFile {
    this.counter += 1;
    const file: StoredFile = {
      fileId: `${FILE_ID_PREFIX[input.folder]}${randomBytes(45).toString('base64url')}`,
      fileUniqueId: `AQAD${randomBytes(9).toString('base64url')}`,
      filePath: `${input.folder}/file_${this.counter}.${input.extension}`,
      bytes: input.bytes,
    };
    if (input.mimeType !== undefined) file.mimeType = input.mimeType;
    if (input.fileName !== undefined) file.fileName = input.fileName;
    this.byFileId.set(file.fileId, file);
    this.byFilePath.set(file.filePath, file);
    return file;
  }

  get(fileId: string): StoredFile | undefined {
    return this.byFileId.get(fileId);
  }

  getByPath(filePath: string): StoredFile | undefined {
    return this.byFilePath.get(filePath);
  }

  /** Sending any size's file_id again re-sends the whole photo, as on Telegram. */
  linkPhotoSet(sizes: TgPhotoSize[]): void {
    for (const size of sizes) this.photoSets.set(size.file_id, sizes);
  }

  photoSet(fileId: string): TgPhotoSize[] | undefined {
    return this.photoSets.get(fileId);
  }
}

// Real ids start with a type-dependent prefix; mimicking it keeps logs in tests readable.
const FILE_ID_PREFIX: Record<FileFolder, string> = {
  photos: 'AgACAgIAAxkBAA',
  documents: 'BQACAgIAAxkBAA',
  voice: 'AwACAgIAAxkBAA',
  stickers: 'CAACAgIAAxkBAA',
  videos: 'BAACAgIAAxkBAA',
  music: 'CQACAgIAAxkBAA',
  animations: 'CgACAgIAAxkBAA',
};

/** Deterministic-enough placeholder content that still starts with the right magic bytes. */
export function fakeBytes(kind: 'jpeg' | 'ogg' | 'webp' | 'binary', size: number): Buffer {
  const magic: Record<typeof kind, number[]> = {
    jpeg: [0xff, 0xd8, 0xff, 0xe0],
    ogg: [0x4f, 0x67, 0x67, 0x53],
    webp: [0x52, 0x49, 0x46, 0x46],
    binary: [],
  };
  const body = randomBytes(Math.max(size, magic[kind].length));
  Buffer.from(magic[kind]).copy(body, 0);
  return body;
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'audio/ogg': 'oga',
  'audio/mpeg': 'mp3',
  'video/mp4': 'mp4',
  'application/zip': 'zip',
};

export function extensionFor(fileName: string | undefined, mimeType: string | undefined): string {
  const fromName = fileName && /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1];
  if (fromName) return fromName.toLowerCase();
  return (mimeType && EXTENSIONS[mimeType.toLowerCase()]) || 'bin';
}

export function mimeTypeFor(fileName: string | undefined): string | undefined {
  const extension = fileName && /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1]?.toLowerCase();
  if (!extension) return undefined;
  const found = Object.entries(EXTENSIONS).find(([, ext]) => ext === extension || (ext === 'jpg' && extension === 'jpeg'));
  return found?.[0];
}
