import type { Readable } from 'node:stream';

/**
 * Where file bytes live. Keys are chosen by the files service (never by clients), so an implementation
 * may map them to paths or object names directly. Metadata (names, types, chats) lives in PostgreSQL.
 */
export interface FileStorage {
  readonly kind: 'disk' | 's3';
  /** Stores the bytes under the key; overwriting the same key with the same bytes is harmless. */
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The bytes as a stream; throws StoredObjectMissingError when nothing is stored under the key. */
  open(key: string): Promise<Readable>;
  /** Removes the object; removing a missing object is not an error (deletes are retried). */
  delete(key: string): Promise<void>;
}

export class StoredObjectMissingError extends Error {
  constructor(key: string) {
    super(`No stored object under ${key}`);
    this.name = 'StoredObjectMissingError';
  }
}

/** Storage keys: `<2 hex>/<uuid>`, spreading files over 256 directories or prefixes. */
export function storageKeyFor(fileId: string): string {
  return `${fileId.slice(0, 2)}/${fileId}`;
}

/** The thumbnail of an image sits next to it: `<2 hex>/<uuid>.thumb`. */
export function thumbnailKeyFor(fileId: string): string {
  return `${storageKeyFor(fileId)}.thumb`;
}

const KEY_PATTERN = /^[0-9a-f]{2}\/[0-9a-f-]{36}(\.thumb)?$/;

/** Guards implementations against keys that could escape their directory or bucket prefix. */
export function assertStorageKey(key: string): void {
  if (!KEY_PATTERN.test(key)) throw new Error(`Invalid storage key ${JSON.stringify(key)}`);
}
