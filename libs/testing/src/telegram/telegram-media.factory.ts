import type { TgDocument, TgPhotoSize, TgSticker, TgVoice } from './telegram-api.types';
import { extensionFor, fakeBytes, type StoredFile, type TelegramFileStore } from './telegram-file.store';

// Builds media objects shaped like Telegram's and registers their bytes so getFile + download work
// for both directions (customer uploads and bot sends).

// Telegram stores every photo in several sizes; the largest is always the last element.
const PHOTO_LAYOUT = [
  { width: 90, height: 68, share: 0.02 },
  { width: 320, height: 240, share: 0.15 },
  { width: 1280, height: 960, share: 1 },
];

export function createPhotoSizes(files: TelegramFileStore, original?: Buffer): TgPhotoSize[] {
  const largest = original ?? fakeBytes('jpeg', 48_000);
  const sizes = PHOTO_LAYOUT.map((layout, index) => {
    const isLargest = index === PHOTO_LAYOUT.length - 1;
    const bytes = isLargest ? largest : fakeBytes('jpeg', Math.max(64, Math.floor(largest.length * layout.share)));
    const file = files.register({ folder: 'photos', bytes, extension: 'jpg', mimeType: 'image/jpeg' });
    return { ...fileIds(file), file_size: bytes.length, width: layout.width, height: layout.height };
  });
  files.linkPhotoSet(sizes);
  return sizes;
}

export interface DocumentInput {
  fileName?: string;
  mimeType?: string;
  bytes?: Buffer;
}

export function createDocument(files: TelegramFileStore, input: DocumentInput): TgDocument {
  const bytes = input.bytes ?? fakeBytes('binary', 2048);
  const file = files.register({
    folder: 'documents',
    bytes,
    extension: extensionFor(input.fileName, input.mimeType),
    ...(input.mimeType !== undefined ? { mimeType: input.mimeType } : {}),
    ...(input.fileName !== undefined ? { fileName: input.fileName } : {}),
  });
  const document: TgDocument = { ...fileIds(file) };
  if (input.fileName !== undefined) document.file_name = input.fileName;
  if (input.mimeType !== undefined) document.mime_type = input.mimeType;
  document.file_size = bytes.length;
  return document;
}

export interface VoiceInput {
  bytes?: Buffer;
  duration?: number;
  mimeType?: string;
}

export function createVoice(files: TelegramFileStore, input: VoiceInput = {}): TgVoice {
  const bytes = input.bytes ?? fakeBytes('ogg', 6000);
  const mimeType = input.mimeType ?? 'audio/ogg';
  const file = files.register({ folder: 'voice', bytes, extension: 'oga', mimeType });
  return { ...fileIds(file), duration: input.duration ?? 3, mime_type: mimeType, file_size: bytes.length };
}

export interface StickerInput {
  emoji?: string;
  setName?: string;
  bytes?: Buffer;
}

export function createSticker(files: TelegramFileStore, input: StickerInput = {}): TgSticker {
  const bytes = input.bytes ?? fakeBytes('webp', 12_000);
  const file = files.register({ folder: 'stickers', bytes, extension: 'webp', mimeType: 'image/webp' });
  const sticker: TgSticker = {
    ...fileIds(file),
    type: 'regular',
    width: 512,
    height: 512,
    is_animated: false,
    is_video: false,
    emoji: input.emoji ?? '👍',
    file_size: bytes.length,
  };
  if (input.setName !== undefined) sticker.set_name = input.setName;
  return sticker;
}

function fileIds(file: StoredFile): { file_id: string; file_unique_id: string } {
  return { file_id: file.fileId, file_unique_id: file.fileUniqueId };
}
