import { badUserInput } from '@switchboard/service-kit';
import { z } from 'zod';

/** Keyset cursors: the sort key and id of the last row of a page, opaque to clients (base64url JSON). */
const cursorSchema = z.object({ k: z.string().min(1), id: z.uuid() });
export type Cursor = z.infer<typeof cursorSchema>;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

export function decodeCursor(raw: string): Cursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch {
    throw badUserInput('after must be a cursor from a previous page', 'after');
  }
}

export interface Page<T> {
  items: T[];
  cursors: string[];
  hasNextPage: boolean;
}

/** Turns `first + 1` fetched rows into a page: the extra row only says whether another page follows. */
export function toPage<T>(rows: T[], first: number, cursorOf: (row: T) => Cursor): Page<T> {
  const items = rows.slice(0, first);
  return { items, cursors: items.map((row) => encodeCursor(cursorOf(row))), hasNextPage: rows.length > first };
}
