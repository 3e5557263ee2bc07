// @ts-check
import { CLIENT_LOG_LIMIT, RANGES } from './model.js';
import * as Q from './queries.js';

/** @typedef {import('./types.js').RequestRecord} RequestRecord */
/** @typedef {import('./model.js').RangeKey} RangeKey */

/**
 * The usage report's arguments for a range: grouped by key, account and model together (plus the
 * chart's bucket), so one report feeds every panel and the panels agree with each other.
 * @param {RangeKey} range
 */
export function usageArgs(range) {
  const { preset, bucket } = RANGES[range];
  return { range: { preset }, groupBy: ['KEY', 'ACCOUNT', 'MODEL', ...(bucket ? [bucket] : [])] };
}

/**
 * The request log of the range, newest first, page by page up to CLIENT_LOG_LIMIT entries: the
 * rollups have no user agent, so the by-client table (and the per-minute chart of the last hour)
 * is counted from here.
 * @param {import('./api.js').AdminApi} api
 * @param {string} from ISO time, the report's own range start
 * @returns {Promise<{ records: RequestRecord[], truncated: boolean }>}
 */
export async function loadRangeLog(api, from) {
  /** @type {RequestRecord[]} */
  const records = [];
  /** @type {string | null} */
  let after = null;
  for (;;) {
    /** @type {{ nodes: RequestRecord[], pageInfo: { hasNextPage: boolean, endCursor: string | null } }} */
    const page = /** @type {{ requests: { nodes: RequestRecord[], pageInfo: { hasNextPage: boolean, endCursor: string | null } } }} */ (
      await api.request(Q.REQUESTS_QUERY, { filter: { from }, first: 500, after })
    ).requests;
    records.push(...page.nodes);
    if (!page.pageInfo.hasNextPage || page.pageInfo.endCursor === null) return { records, truncated: false };
    if (records.length >= CLIENT_LOG_LIMIT) return { records, truncated: true };
    after = page.pageInfo.endCursor;
  }
}
