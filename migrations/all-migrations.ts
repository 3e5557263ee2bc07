import { InitialUsageStore1767225600000 } from './1767225600000-initial-usage-store.js';
import { AccountOauthTokens1767312000000 } from './1767312000000-account-oauth-tokens.js';

/** Every migration, oldest first. Passed to the DataSource as classes: no glob loading (ESM/tsx-safe). */
export const ALL_MIGRATIONS = [InitialUsageStore1767225600000, AccountOauthTokens1767312000000];
