import { isObject, numberField, objectField, type JsonObject } from './json-guards.js';

/**
 * The quota of a ChatGPT seat as the Codex backend reports it: response headers
 * `x-codex-{primary,secondary}-{used-percent,window-minutes,reset-at}` (reset-at in epoch seconds;
 * primary is the 5-hour window, secondary the weekly one) and `codex.rate_limits` stream events.
 */
export interface QuotaWindow {
  /** 0..100 as reported. */
  usedPercent: number;
  windowMinutes: number | null;
  /** Epoch ms when the window resets, when known. */
  resetAt: number | null;
}

export interface CodexQuota {
  primary: QuotaWindow | null;
  secondary: QuotaWindow | null;
  /** Epoch ms when this was observed. */
  observedAt: number;
}

export type HeaderLookup = (name: string) => string | null | undefined;

const WINDOWS = ['primary', 'secondary'] as const;

export function quotaFromHeaders(get: HeaderLookup, now: number): CodexQuota | null {
  const read = (name: string): number | undefined => {
    const value = get(name);
    if (value === null || value === undefined || value.trim() === '') return undefined;
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  };
  const window = (which: string): QuotaWindow | null => {
    const used = read(`x-codex-${which}-used-percent`);
    if (used === undefined) return null;
    const resetAt = read(`x-codex-${which}-reset-at`);
    const resetAfter = read(`x-codex-${which}-reset-after-seconds`);
    return {
      usedPercent: used,
      windowMinutes: read(`x-codex-${which}-window-minutes`) ?? null,
      resetAt: resetAt !== undefined ? resetAt * 1000 : resetAfter !== undefined ? now + resetAfter * 1000 : null,
    };
  };
  return build(window('primary'), window('secondary'), now);
}

/** `codex.rate_limits` events put the windows under `rate_limits` (or at the top level). */
export function quotaFromRateLimitsEvent(event: JsonObject, now: number): CodexQuota | null {
  const holder = objectField(event, 'rate_limits') ?? event;
  const window = (which: string): QuotaWindow | null => {
    const raw = objectField(holder, which);
    if (raw === undefined) return null;
    const used = numberField(raw, 'used_percent');
    if (used === undefined) return null;
    const resetAt = numberField(raw, 'reset_at') ?? numberField(raw, 'resets_at');
    const resetAfter = numberField(raw, 'reset_after_seconds') ?? numberField(raw, 'resets_in_seconds');
    return {
      usedPercent: used,
      windowMinutes: numberField(raw, 'window_minutes') ?? null,
      resetAt: resetAt !== undefined ? resetAt * 1000 : resetAfter !== undefined ? now + resetAfter * 1000 : null,
    };
  };
  return build(window('primary'), window('secondary'), now);
}

function build(primary: QuotaWindow | null, secondary: QuotaWindow | null, now: number): CodexQuota | null {
  return primary === null && secondary === null ? null : { primary, secondary, observedAt: now };
}

/** Used percent of a window now: a window whose reset time has passed has been refilled. */
export function usedNow(window: QuotaWindow | null, now: number): number | null {
  if (window === null) return null;
  if (window.resetAt !== null && window.resetAt <= now) return 0;
  return Math.min(100, Math.max(0, window.usedPercent));
}

/** Fraction of the tighter window still available (0..1), or null when nothing is known. */
export function remainingFraction(quota: CodexQuota | null, now: number): number | null {
  if (quota === null) return null;
  const used = WINDOWS.map((w) => usedNow(quota[w], now)).filter((u): u is number => u !== null);
  return used.length === 0 ? null : 1 - Math.max(...used) / 100;
}

/** The `x-codex-*` headers that describe a quota (what the Codex CLI reads and shows). */
export function quotaHeaders(quota: CodexQuota | null, now: number): Record<string, string> {
  const headers: Record<string, string> = {};
  if (quota === null) return headers;
  for (const which of WINDOWS) {
    const window = quota[which];
    const used = usedNow(window, now);
    if (window === null || used === null) continue;
    headers[`x-codex-${which}-used-percent`] = String(Math.round(used * 100) / 100);
    if (window.windowMinutes !== null) headers[`x-codex-${which}-window-minutes`] = String(window.windowMinutes);
    if (window.resetAt !== null && window.resetAt > now) headers[`x-codex-${which}-reset-at`] = String(Math.ceil(window.resetAt / 1000));
  }
  return headers;
}

/**
 * One quota for a pool of seats: per window, the used percent averaged by each seat's capacity
 * (a Pro seat counts for more than a Plus one) and the earliest reset (when capacity comes back).
 */
export function aggregateQuota(entries: ReadonlyArray<{ quota: CodexQuota | null; capacity: number }>, now: number): CodexQuota | null {
  const windows = WINDOWS.map((which) => {
    let weight = 0;
    let used = 0;
    let minutes: number | null = null;
    let reset: number | null = null;
    for (const { quota, capacity } of entries) {
      const window = quota?.[which] ?? null;
      const u = usedNow(window, now);
      if (window === null || u === null) continue;
      weight += capacity;
      used += u * capacity;
      minutes ??= window.windowMinutes;
      if (window.resetAt !== null && window.resetAt > now && (reset === null || window.resetAt < reset)) reset = window.resetAt;
    }
    return weight === 0 ? null : { usedPercent: used / weight, windowMinutes: minutes, resetAt: reset };
  });
  return build(windows[0], windows[1], now);
}

/** Revives a quota read back from the store (plain JSON), or null when it is not one. */
export function quotaFromJson(value: unknown): CodexQuota | null {
  if (!isObject(value)) return null;
  const window = (raw: unknown): QuotaWindow | null => {
    if (!isObject(raw)) return null;
    const used = numberField(raw, 'usedPercent');
    if (used === undefined) return null;
    return { usedPercent: used, windowMinutes: numberField(raw, 'windowMinutes') ?? null, resetAt: numberField(raw, 'resetAt') ?? null };
  };
  return build(window(value.primary), window(value.secondary), numberField(value, 'observedAt') ?? 0);
}
