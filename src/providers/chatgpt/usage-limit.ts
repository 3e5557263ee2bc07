import { isObject, numberField, objectField, stringField } from './json-guards.js';

/**
 * The Codex backend's 429 body: `{"error": {"type": "usage_limit_reached", "resets_at": <epoch s>,
 * "resets_in_seconds": n, ...}}`. Returns when the account can serve again (epoch ms), if said.
 */
export function usageLimitResetAt(body: unknown, now: number): number | null {
  if (!isObject(body)) return null;
  const error = objectField(body, 'error') ?? body;
  const resetsAt = numberField(error, 'resets_at');
  if (resetsAt !== undefined) return resetsAt * 1000;
  const resetsIn = numberField(error, 'resets_in_seconds');
  return resetsIn === undefined ? null : now + resetsIn * 1000;
}

export function isUsageLimitBody(body: unknown): boolean {
  if (!isObject(body)) return false;
  const error = objectField(body, 'error');
  return error !== undefined && (stringField(error, 'type') === 'usage_limit_reached' || stringField(error, 'code') === 'usage_limit_reached');
}
