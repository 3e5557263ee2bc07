import { MASK, maskUrlPassword } from '../shared/redaction.js';
import { appendPath } from './issues.js';

/**
 * Which config values are secrets: every credential field, whatever its source, and every value
 * interpolated from the environment. A masked copy is what logs, `check`, `diff` and the admin API
 * may show.
 */
const CREDENTIAL_PATTERNS: RegExp[] = [
  /^accounts\[\d+\]\.apiKey$/,
  // Values only: the names of token fields and headers are useful to see.
  /^accounts\[\d+\]\.tokens\./,
  /^accounts\[\d+\]\.headers(\.|\[)/,
  /^keys\[\d+\]\.key$/,
  /^admin\.tokens\[\d+\]$/,
];

/** URLs that may carry a password in their user-info part. */
const URL_WITH_PASSWORD = new Set(['storage.url', 'limits.store', 'cluster.redis']);

export function isCredentialPath(path: string): boolean {
  return CREDENTIAL_PATTERNS.some((re) => re.test(path));
}

/** A deep copy of `value` with every secret replaced by `***`. */
export function maskSecrets<T>(value: T, interpolatedPaths: ReadonlySet<string>): T {
  return maskNode(value, '', interpolatedPaths) as T;
}

// Every credential pattern starts with one of these: other paths skip the pattern tests.
const CREDENTIAL_PREFIXES = ['accounts[', 'keys[', 'admin.tokens['];

/** `path` is the node's formatted path ('' for the root), extended as the walk descends. */
function maskNode(value: unknown, path: string, interpolated: ReadonlySet<string>): unknown {
  if (path !== '' && (interpolated.has(path) || (CREDENTIAL_PREFIXES.some((prefix) => path.startsWith(prefix)) && isCredentialPath(path)))) {
    return value === undefined ? undefined : MASK;
  }
  if (typeof value === 'string' && URL_WITH_PASSWORD.has(path)) return maskUrlPassword(value);
  if (Array.isArray(value)) return value.map((item, i) => maskNode(item, appendPath(path, i), interpolated));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const masked = maskNode((value as Record<string, unknown>)[key], appendPath(path, key), interpolated);
      // An own `__proto__` (a header name, say) must stay data, as Object.fromEntries keeps it.
      if (key === '__proto__') Object.defineProperty(out, key, { value: masked, enumerable: true, writable: true, configurable: true });
      else out[key] = masked;
    }
    return out;
  }
  return value;
}
