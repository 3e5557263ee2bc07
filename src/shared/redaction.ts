/** The one mask used wherever a secret would otherwise be shown (logs, CLI output, admin API). */
export const MASK = '***';

/** Paths pino censors in every log line, whatever logged them. */
export const LOG_REDACT_PATHS = [
  'authorization',
  'apiKey',
  'key',
  'token',
  'tokens',
  'password',
  '*.authorization',
  '*.apiKey',
  '*.key',
  '*.token',
  '*.tokens',
  '*.password',
  '*.accessToken',
  '*.refreshToken',
  'headers.authorization',
  'headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
];

/** A URL with its password (if any) masked, e.g. `mysql://root:***@db:3306/x`. */
export function maskUrlPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = MASK;
    return parsed.toString().replace(encodeURIComponent(MASK), MASK);
  } catch {
    return url;
  }
}
