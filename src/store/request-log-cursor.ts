import { invalidRequest } from '../shared/errors.js';

/**
 * The request log's page cursor: the (startedAt, id) of the last row served, base64url-encoded
 * so clients treat it as opaque. Keyset pagination: stable while new rows arrive, and each page
 * costs the same however deep it is.
 */
export interface LogPosition {
  startedAt: number;
  id: number;
}

export function encodeCursor(position: LogPosition): string {
  return Buffer.from(JSON.stringify([position.startedAt, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): LogPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((n) => Number.isSafeInteger(n) && n >= 0)) {
      return { startedAt: value[0] as number, id: value[1] as number };
    }
  } catch {
    // fall through to the error below
  }
  throw invalidRequest('invalid cursor: pass the nextCursor of a previous page', 'cursor', 'invalid_cursor');
}
