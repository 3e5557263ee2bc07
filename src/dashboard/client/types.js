// @ts-check
/**
 * The shapes of the admin API answers the dashboard reads (a subset of graphql/*.graphql).
 * Types only: this module exports no values.
 */

/**
 * @typedef {{ severity: string, code?: string, line: number | null, column: number | null, path: string, message: string, formatted: string }} ConfigIssue
 * @typedef {{ status: string, trigger: string, version: number, summary: string, at: string, durationMs?: number, issues: ConfigIssue[] }} ReloadResult
 * @typedef {{ version: number, hash: string, loadedAt: string, file: string, inSync: boolean, instanceId: string, lastResult: ReloadResult, lastRejected: ReloadResult | null }} ConfigStatus
 * @typedef {{ name: string, usedPercent: number | null, windowMinutes: number | null, resetsAt: string | null }} QuotaWindow
 * @typedef {{ until: string, remainingMs: number, reason: string | null, rateLimited: boolean }} Cooldown
 * @typedef {{
 *   id: string, name: string, kind: string, enabled: boolean, plan: string | null, status: string, available: boolean,
 *   unavailableReason: string | null, inFlight: number, lastUsedAt: string | null,
 *   pause: { since: string, reason: string | null } | null, cooldown: Cooldown | null,
 *   lastError: { message: string, at: string | null } | null, quota: QuotaWindow[]
 * }} Account
 * @typedef {{ policy: string, kind: string, limit: number, per: string | null, used: number | null, remaining: number | null, resetsAt: string | null }} LimitWindow
 * @typedef {{ id: string, name: string, enabled: boolean, expired: boolean, expiresAt: string | null, models: string[] | null, policies: { id: string }[], limits: LimitWindow[] }} ApiKey
 * @typedef {{ input: number, cachedInput: number, output: number, source: string }} Pricing
 * @typedef {{ id: string, name: string, enabled: boolean, aliases: string[], accounts: { id: string }[], pricing: Pricing | null }} Model
 * @typedef {{
 *   requests: number, errors: number, inputTokens: number, cachedInputTokens: number, outputTokens: number,
 *   reasoningTokens: number, totalTokens: number, costUsd: number, unpricedRequests: number, averageLatencyMs: number | null
 * }} Totals
 * @typedef {{ keyId?: string | null, accountId?: string | null, model?: string | null, bucketStart?: string | null }} UsageGroup
 * @typedef {{ group: UsageGroup, totals: Totals }} UsageRow
 * @typedef {{ range: { from: string, to: string }, at: string, totals: Totals, rows: UsageRow[] }} UsageReport
 * @typedef {{ inputTokens: number, cachedInputTokens: number, outputTokens: number, reasoningTokens: number, totalTokens: number }} TokenUsage
 * @typedef {{
 *   requestId: string, startedAt: string, keyId: string, accountId: string | null, model: string, endpoint: string,
 *   stream: boolean, status: number, errorCode: string | null, attempts: number, usage: TokenUsage | null,
 *   costUsd: number | null, latencyMs: number, ttftMs: number | null, userAgent: string | null
 * }} RequestRecord
 * @typedef {{ status: string, trigger: string, version: number, summary: string, at: string, issues: ConfigIssue[] }} ConfigEvent
 * @typedef {{ accountId: string, changes: string[], status: string | null, account: Account | null }} AccountEvent
 * @typedef {{ configStatus: ConfigStatus, config: { document: Record<string, unknown> }, accounts: Account[], keys: ApiKey[], models: Model[] }} DashboardState
 */

export {};
