// @ts-check
/**
 * The GraphQL documents the dashboard sends (graphql/*.graphql is the schema). Usage fields are
 * asked for apart from the config and accounts: without a usage store they fail with
 * SERVICE_UNAVAILABLE, and a non-null usage field would otherwise take the whole answer down.
 */

const RELOAD = `fragment Reload on ReloadResult {
  status trigger version summary at durationMs
  issues { severity code line column path message formatted }
}`;

const ACCOUNT = `fragment AccountFields on Account {
  id name kind enabled plan status available unavailableReason inFlight lastUsedAt
  pause { since reason }
  cooldown { until remainingMs reason rateLimited }
  lastError { message at }
  quota { name usedPercent windowMinutes resetsAt }
}`;

const TOTALS = `fragment Totals on UsageTotals {
  requests errors inputTokens cachedInputTokens outputTokens reasoningTokens totalTokens
  costUsd unpricedRequests averageLatencyMs
}`;

const REPORT = `fragment Report on UsageReport {
  range { from to }
  at
  totals { ...Totals }
  rows { group { keyId accountId model bucketStart } totals { ...Totals } }
}
${TOTALS}`;

const REQUEST = `fragment RequestFields on RequestRecord {
  requestId startedAt keyId accountId model endpoint stream status errorCode attempts
  usage { inputTokens cachedInputTokens outputTokens reasoningTokens totalTokens }
  costUsd latencyMs ttftMs userAgent
}`;

export const STATE_QUERY = `query DashboardState {
  configStatus {
    version hash loadedAt file inSync instanceId
    lastResult { ...Reload }
    lastRejected { ...Reload }
  }
  config { document }
  accounts { ...AccountFields }
  keys {
    id name enabled expired expiresAt models
    policies { id }
    limits { policy kind limit per used remaining resetsAt }
  }
  models {
    id name enabled aliases
    accounts { id }
    pricing { input cachedInput output source }
  }
}
${RELOAD}
${ACCOUNT}`;

export const USAGE_QUERY = `query DashboardUsage($range: TimeRangeInput, $groupBy: [UsageGroupBy!]) {
  usage(range: $range, groupBy: $groupBy) { ...Report }
}
${REPORT}`;

export const USAGE_SUBSCRIPTION = `subscription DashboardUsageLive($range: TimeRangeInput, $groupBy: [UsageGroupBy!]) {
  usageUpdated(range: $range, groupBy: $groupBy) { ...Report }
}
${REPORT}`;

export const REQUESTS_QUERY = `query DashboardRequests($filter: RequestFilter, $first: Int, $after: String) {
  requests(filter: $filter, first: $first, after: $after) {
    nodes { ...RequestFields }
    pageInfo { hasNextPage endCursor }
  }
}
${REQUEST}`;

export const REQUESTS_SUBSCRIPTION = `subscription DashboardRequestsLive {
  requestCompleted { ...RequestFields }
}
${REQUEST}`;

export const CONFIG_SUBSCRIPTION = `subscription DashboardConfigLive {
  configEvents { status trigger version summary at issues { severity line column path message formatted } }
}`;

export const ACCOUNT_SUBSCRIPTION = `subscription DashboardAccountsLive {
  accountEvents { accountId changes status account { ...AccountFields } }
}
${ACCOUNT}`;

export const RELOAD_MUTATION = `mutation DashboardReload($force: Boolean) {
  reloadConfig(force: $force) { ...Reload }
}
${RELOAD}`;

export const PAUSE_MUTATION = `mutation DashboardPause($id: ID!, $reason: String) {
  pauseAccount(id: $id, reason: $reason) { ...AccountFields }
}
${ACCOUNT}`;

export const RESUME_MUTATION = `mutation DashboardResume($id: ID!) {
  resumeAccount(id: $id) { ...AccountFields }
}
${ACCOUNT}`;

export const CLEAR_COOLDOWN_MUTATION = `mutation DashboardClearCooldown($id: ID!) {
  clearCooldown(id: $id) { ...AccountFields }
}
${ACCOUNT}`;
