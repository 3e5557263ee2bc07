/**
 * The session a request belongs to, from what real clients send: Codex puts `prompt_cache_key`
 * in the body and `session-id`/`thread-id` in headers, OpenCode sends `x-session-affinity` /
 * `x-session-id`. The first one present wins; the source is part of the key so that unrelated
 * identifiers never collide.
 */
const AFFINITY_HEADERS = ['session-id', 'session_id', 'thread-id', 'x-session-affinity', 'x-session-id'] as const;

/** Longest key kept: clients send uuids; anything much longer is not a session id. */
const MAX_KEY_LENGTH = 256;

export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

export function affinityKey(body: Readonly<Record<string, unknown>>, headers: HeaderBag): string | null {
  const cacheKey = body.prompt_cache_key;
  if (typeof cacheKey === 'string' && cacheKey !== '') return `pck:${cacheKey.slice(0, MAX_KEY_LENGTH)}`;
  for (const name of AFFINITY_HEADERS) {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value !== undefined && value !== '') return `${name}:${value.slice(0, MAX_KEY_LENGTH)}`;
  }
  return null;
}
