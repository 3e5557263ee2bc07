import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Snapshot } from '../runtime/snapshot.js';
import { KEY_HASH_RE, keyHash } from '../shared/hashing.js';
import { isLoopbackHost } from '../shared/net.js';

/**
 * Who may use the admin API. With `admin.tokens` configured, a bearer token must match one of
 * them; with none, only clients on this machine may. Tokens are read from the current snapshot
 * on every check, so adding or revoking one in gateway.yaml takes effect at the next reload.
 */
export type AdminAuthResult = { ok: true } | { ok: false; reason: string };

/** Everything needed to decide, taken from an HTTP request or a WebSocket upgrade + its params. */
export interface AdminCredentials {
  /** The socket's peer address (never a forwarded header). */
  remoteAddress: string | undefined;
  headers: IncomingHttpHeaders;
  /** `Bearer <token>` or the bare token; undefined when none was sent. */
  authorization: string | undefined;
}

/** The configured tokens as `sha256:<hex>`; plain ones are hashed so every comparison has one shape. */
export function adminTokenHashes(snapshot: Snapshot): string[] {
  return snapshot.config.admin.tokens
    // An unset `${VAR:-}` leaves an empty token: it must not become a password everybody knows.
    .filter((token) => token.trim() !== '')
    .map((token) => (KEY_HASH_RE.test(token) ? token : keyHash(token)));
}

export function authorizeAdmin(snapshot: Snapshot, credentials: AdminCredentials): AdminAuthResult {
  const hashes = adminTokenHashes(snapshot);
  if (hashes.length === 0) {
    return isLocalPeer(credentials)
      ? { ok: true }
      : { ok: false, reason: 'admin API is limited to this machine: no admin.tokens are configured' };
  }
  const token = bearerToken(credentials.authorization);
  if (token === null) return { ok: false, reason: 'admin token required: send Authorization: Bearer <token>' };
  return matchesAny(keyHash(token), hashes) ? { ok: true } : { ok: false, reason: 'invalid admin token' };
}

export function bearerToken(authorization: string | undefined): string | null {
  if (authorization === undefined) return null;
  const value = authorization.trim();
  const token = /^bearer\s+/i.test(value) ? value.replace(/^bearer\s+/i, '').trim() : value;
  return token === '' ? null : token;
}

/**
 * Constant time over the whole list: every configured hash is compared, so neither the position
 * of a match nor a near miss shows in the response time.
 */
function matchesAny(candidate: string, hashes: readonly string[]): boolean {
  const given = Buffer.from(candidate);
  let matched = false;
  for (const hash of hashes) {
    const expected = Buffer.from(hash);
    if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
  }
  return matched;
}

const FORWARDING_HEADERS = ['x-forwarded-for', 'x-real-ip', 'forwarded'] as const;

/**
 * A loopback peer that is not a reverse proxy relaying someone else: when a forwarding header
 * names a client, that client must be loopback too. Deliberately independent of `trustProxy`,
 * so a local proxy in front of the gateway never opens the token-less admin API to the network.
 */
export function isLocalPeer(credentials: Pick<AdminCredentials, 'remoteAddress' | 'headers'>): boolean {
  if (credentials.remoteAddress === undefined || !isLoopbackHost(credentials.remoteAddress)) return false;
  for (const name of FORWARDING_HEADERS) {
    const raw = credentials.headers[name];
    if (raw === undefined) continue;
    for (const value of (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(','))) {
      const address = name === 'forwarded' ? forwardedFor(value) : value.trim();
      if (address !== null && address !== '' && !isLoopbackHost(address)) return false;
    }
  }
  return true;
}

/** The `for=` address of one `Forwarded` element, without quotes and port; null when absent. */
function forwardedFor(element: string): string | null {
  const match = /for="?([^";]+)"?/i.exec(element);
  if (!match) return null;
  const address = match[1]!.trim();
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']'));
  return address.includes('.') ? address.replace(/:\d+$/, '') : address;
}
