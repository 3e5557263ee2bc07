/**
 * The usage tables' names and column lengths, apart from their TypeORM entities so the usage
 * writer's thread (sqlite-usage-worker.ts) can use them without loading TypeORM.
 */
export const REQUEST_LOG_TABLE = 'usage_request_log';
export const HOURLY_ROLLUP_TABLE = 'usage_hourly_rollup';

/** Column lengths, shared with the writer, which truncates rather than failing a whole batch. */
export const REQUEST_LOG_LENGTHS = {
  requestId: 128,
  keyId: 128,
  accountId: 128,
  model: 128,
  upstreamModel: 128,
  endpoint: 32,
  errorCode: 64,
  userAgent: 512,
} as const;
