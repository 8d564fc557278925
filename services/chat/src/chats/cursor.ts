import { badUserInput } from '@switchboard/service-kit';

/** Opaque keyset cursors: stable under inserts, unlike offsets. */
export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): string[] {
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parts) && parts.length === arity && parts.every((p) => typeof p === 'string' || typeof p === 'number')) {
      return parts.map(String);
    }
  } catch {
    // fall through to the typed error below: the client sent something that is not our cursor
  }
  throw badUserInput('The cursor is not valid: pass an endCursor this API returned', 'after');
}
