/** Duration strings as written in gateway.yaml: `500ms`, `30s`, `5m`, `1h`, `1d` (decimals allowed). */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

export const DURATION_HINT = 'use a number and a unit: 500ms, 30s, 5m, 1h, 1d';

/** Milliseconds for a duration string, or undefined when the string is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_RE.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** Like parseDuration for strings already validated by the config schema. */
export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`invalid duration '${text}' (${DURATION_HINT})`);
  return ms;
}
