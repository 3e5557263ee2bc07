import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { KeySpec, Snapshot } from '../runtime/snapshot.js';
import type { SnapshotHolder } from '../runtime/snapshot-holder.js';
import type { Clock } from '../shared/clock.js';
import { GatewayError } from '../shared/errors.js';
import { keyHash } from '../shared/hashing.js';
import { isLoopbackHost } from '../shared/net.js';
import { maskApiKey } from './api-key-mask.js';
import type { VisibleModels } from './models-router.js';
import { ANONYMOUS_KEY, contextOf } from './request-context.js';

/** Distinct presented keys whose hash is kept (a few hundred KB at most). */
const HASH_CACHE_SIZE = 4096;

export interface AuthDeps {
  holder: SnapshotHolder;
  clock: Clock;
}

/**
 * Authenticates /v1 requests against the request's snapshot (SHA-256 of the presented key, one
 * map lookup, so 10,000 keys cost what 1 does). `auth.enabled: true`: the key comes as
 * `Authorization: Bearer` or `x-api-key`, and an unknown, disabled or expired key is refused with
 * a 401 saying which. `auth.enabled: false`: any key — OpenClaw sends "dummy" — is accepted from
 * this machine only; a presented key that matches a usable configured one still gets that key's
 * identity (usage attribution, models, policies). Mounted after `requestContext`.
 */
export function authMiddleware(deps: AuthDeps): RequestHandler {
  // SHA-256 of every presented key on every request is measurable; the last few thousand
  // distinct presented keys keep their hash (insertion order evicts the oldest). Only the hash
  // is cached, not the key's entry: every request still looks the key up in its own snapshot,
  // so a removed, disabled or expired key is refused at once. The presented strings live as long
  // as their entry, as they would in any request in flight.
  const hashes = new Map<string, string>();
  const hashOf = (presented: string): string => {
    let hash = hashes.get(presented);
    if (hash === undefined) {
      hash = keyHash(presented);
      if (hashes.size >= HASH_CACHE_SIZE) hashes.delete(hashes.keys().next().value as string);
      hashes.set(presented, hash);
    }
    return hash;
  };
  return function authenticate(req: Request, res: Response, next: NextFunction) {
    const ctx = contextOf(res);
    const snapshot: Snapshot = ctx.snapshot;
    const presented = presentedKey(req);
    let key: KeySpec | null;
    if (snapshot.config.auth.enabled) {
      key = requireKey(snapshot, presented, presented === null ? '' : hashOf(presented), deps.clock.now());
    } else {
      // req.ip follows `server.trustProxy`: behind a reverse proxy, the client's own address.
      // Without it req.ip is the socket's address, but Express still parses X-Forwarded-For
      // (proxy-addr) to find that out, on every request: read the socket directly then.
      const peer = (snapshot.config.server.trustProxy === false ? undefined : req.ip) ?? req.socket.remoteAddress ?? '';
      if (!isLoopbackHost(peer)) throw remoteWithoutAuth(peer);
      key = presented === null ? null : usableKey(snapshot, hashOf(presented), deps.clock.now());
    }
    ctx.key = key;
    ctx.keyId = key?.id ?? ANONYMOUS_KEY;
    next();
  };
}

/** `/v1/models` shows a key only the models it may use. */
export const keyVisibleModels: VisibleModels = (_snapshot, req) => req.res?.locals.codexLb?.key?.models ?? null;

function presentedKey(req: Request): string | null {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match !== null) return match[1];
  }
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim() !== '') return apiKey.trim();
  return null;
}

function requireKey(snapshot: Snapshot, presented: string | null, hash: string, now: number): KeySpec {
  if (presented === null) {
    throw invalidKey("You didn't provide an API key. Send it as 'Authorization: Bearer <key>' or in the 'x-api-key' header.");
  }
  const key = snapshot.keysByHash.get(hash);
  if (key === undefined) throw invalidKey(`Incorrect API key provided: ${maskApiKey(presented)}. It is not one of the keys configured on this gateway.`);
  if (!key.enabled) throw invalidKey(`The API key ${maskApiKey(presented)} (key '${key.id}') is disabled.`);
  if (key.expiresAt !== null && key.expiresAt <= now) {
    throw invalidKey(`The API key ${maskApiKey(presented)} (key '${key.id}') expired at ${new Date(key.expiresAt).toISOString()}.`);
  }
  return key;
}

/** With auth off, a matching key that is also usable; anything else is anonymous. */
function usableKey(snapshot: Snapshot, hash: string, now: number): KeySpec | null {
  const key = snapshot.keysByHash.get(hash);
  if (key === undefined || !key.enabled || (key.expiresAt !== null && key.expiresAt <= now)) return null;
  return key;
}

function invalidKey(message: string): GatewayError {
  return new GatewayError(401, 'authentication_error', 'invalid_api_key', message);
}

function remoteWithoutAuth(peer: string): GatewayError {
  return invalidKey(
    `API keys are disabled on this gateway (auth.enabled: false), so it only serves this machine, and your address ${peer || '(unknown)'} is not local. ` +
      "To use it from elsewhere, create a key with 'codex-lb keys new', add it under 'keys:' in gateway.yaml and set 'auth: { enabled: true }'.",
  );
}
