import { MASK, maskUrlPassword } from '../shared/redaction.js';
import { formatPath, type ConfigPath } from './issues.js';

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
  return maskNode(value, [], interpolatedPaths) as T;
}

function maskNode(value: unknown, path: ConfigPath, interpolated: ReadonlySet<string>): unknown {
  const formatted = formatPath(path);
  if (path.length > 0 && (interpolated.has(formatted) || isCredentialPath(formatted))) {
    return value === undefined ? undefined : MASK;
  }
  if (typeof value === 'string' && URL_WITH_PASSWORD.has(formatted)) return maskUrlPassword(value);
  if (Array.isArray(value)) return value.map((item, i) => maskNode(item, [...path, i], interpolated));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskNode(v, [...path, k], interpolated)]));
  }
  return value;
}
