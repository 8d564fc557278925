import { badUserInput } from '@switchboard/service-kit';
import { z } from 'zod';
import type { FileRow } from '../files/file.row';

const cursorSchema = z.tuple([z.iso.datetime(), z.uuid()]);

/** Opaque to clients: the (created_at, id) of a row, the order Chat.files pages by. */
export function encodeFileCursor(row: FileRow): string {
  return Buffer.from(JSON.stringify([new Date(row.created_at).toISOString(), row.id])).toString('base64url');
}

export function decodeFileCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { createdAt: new Date(createdAt), id };
  } catch {
    throw badUserInput('after is not a cursor from this list', 'after');
  }
}
