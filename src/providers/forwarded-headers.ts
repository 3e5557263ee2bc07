import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderBag } from './rate-limit-headers.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) never cross a proxy. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/**
 * Client headers that must not reach an upstream: the client's own credentials (the account's
 * key replaces them), framing the gateway recomputes, compression the gateway cannot read
 * usage through, and organisation selectors that belong to the account, not the client.
 */
const REQUEST_DROP = new Set([
  ...HOP_BY_HOP,
  'host',
  'content-length',
  'authorization',
  'x-api-key',
  'api-key',
  'cookie',
  'accept-encoding',
  'expect',
  'openai-organization',
  'openai-project',
]);

/**
 * Upstream response headers the client must not see: framing Node recomputes, cookies and the
 * account's identity and rate-limit counters (they describe the pooled account, not the client;
 * the limits layer sets the client's own), and the upstream's request id (the gateway's replaces
 * it and the upstream one is kept as `x-upstream-request-id`).
 */
const RESPONSE_DROP = new Set([
  ...HOP_BY_HOP,
  'content-length',
  'set-cookie',
  'date',
  'server',
  'alt-svc',
  'strict-transport-security',
  'openai-organization',
  'openai-project',
  'x-request-id',
]);

/** `Connection:` values that name no other header (what clients and servers send almost always). */
const PLAIN_CONNECTION = new Set(['keep-alive', 'close', 'Keep-Alive', 'Close']);

/** Headers named in `Connection:` are hop-by-hop too. */
function connectionListed(headers: HeaderBag): Set<string> | null {
  const value = headers.connection;
  if (value === undefined || (typeof value === 'string' && PLAIN_CONNECTION.has(value))) return null;
  const names = (Array.isArray(value) ? value.join(',') : value).split(',').map((n) => n.trim().toLowerCase()).filter((n) => n !== '' && n !== 'close' && n !== 'keep-alive');
  return names.length > 0 ? new Set(names) : null;
}

export function upstreamRequestHeaders(client: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = connectionListed(client);
  for (const name in client) {
    const value = client[name];
    if (value === undefined || REQUEST_DROP.has(name) || listed?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

export function clientResponseHeaders(upstream: HeaderBag): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = connectionListed(upstream);
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || RESPONSE_DROP.has(name) || listed?.has(name) || name.startsWith('x-ratelimit-')) continue;
    out[name] = value;
  }
  const upstreamId = upstream['x-request-id'];
  if (upstreamId !== undefined) out['x-upstream-request-id'] = upstreamId;
  return out;
}
