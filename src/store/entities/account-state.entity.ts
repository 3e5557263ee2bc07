import { EntitySchema } from 'typeorm';

/**
 * Per-account runtime state that must survive restarts and reloads (ARCHITECTURE §4): cooldowns,
 * the last quota snapshot, a manual pause, and a ChatGPT account's sealed OAuth tokens and re-auth
 * verdict (migration 1767312000000).
 */
export const ACCOUNT_STATE_TABLE = 'account_runtime_state';

export interface AccountStateRow {
  accountId: string;
  /** Epoch ms; null = not cooling down. */
  cooldownUntil: number | null;
  /** JSON text of the last quota snapshot. */
  quotaJson: string | null;
  paused: boolean;
  /** SecretBox-sealed OAuth tokens (never clear text). */
  oauthTokens: string | null;
  reauthReason: string | null;
  updatedAt: number;
}

export const accountStateEntity = new EntitySchema<AccountStateRow>({
  name: 'AccountState',
  tableName: ACCOUNT_STATE_TABLE,
  columns: {
    accountId: { name: 'account_id', type: 'varchar', length: 128, primary: true },
    cooldownUntil: { name: 'cooldown_until', type: 'bigint', nullable: true },
    quotaJson: { name: 'quota_json', type: 'text', nullable: true },
    paused: { name: 'paused', type: 'boolean', default: false },
    oauthTokens: { name: 'oauth_tokens', type: 'text', nullable: true },
    reauthReason: { name: 'reauth_reason', type: 'varchar', length: 512, nullable: true },
    updatedAt: { name: 'updated_at', type: 'bigint' },
  },
});
