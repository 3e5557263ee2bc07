import { createHash, randomBytes } from 'node:crypto';

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The `keyHash` form of an API key or admin token: `sha256:<64 hex>`. */
export function keyHash(secret: string): string {
  return `sha256:${sha256Hex(secret)}`;
}

export const KEY_HASH_RE = /^sha256:[0-9a-f]{64}$/;

/** A new API key: `sk-clb-` and 256 bits of randomness, base64url. */
export function newApiKey(): string {
  return `sk-clb-${randomBytes(32).toString('base64url')}`;
}
