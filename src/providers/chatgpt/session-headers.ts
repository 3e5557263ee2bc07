import type { IncomingHttpHeaders } from 'node:http';

/**
 * Client headers the Codex backend gets: the Codex CLI's session and telemetry headers
 * (`session-id`/`session_id`, `thread-id`, `originator`, `x-codex-*`, `x-client-request-id`,
 * `conversation_id`), the user agent and `openai-beta`. Nothing else crosses: not the client's
 * credentials, not SDK noise (`x-stainless-*`) meant for another API.
 */
const FORWARDED = new Set([
  'session-id',
  'session_id',
  'thread-id',
  'conversation_id',
  'originator',
  'x-client-request-id',
  'user-agent',
  'openai-beta',
  'version',
]);

export function sessionHeaders(client: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in client) {
    const value = client[name];
    if (value === undefined) continue;
    if (FORWARDED.has(name) || name.startsWith('x-codex-')) out[name] = value;
  }
  return out;
}
