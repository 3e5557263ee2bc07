import { EntitySchema } from 'typeorm';

/**
 * Per-account runtime state that must survive restarts and reloads (ARCHITECTURE §4): cooldowns,
 * the last quota snapshot, a manual pause. OAuth tokens will join later, in their own migration.
 */
export const ACCOUNT_STATE_TABLE = 'account_runtime_state';

export interface AccountStateRow {
  accountId: string;
  /** Epoch ms; null = not cooling down. */
  cooldownUntil: number | null;
  /** JSON text of the last quota snapshot. */
  quotaJson: string | null;
  paused: boolean;
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
    updatedAt: { name: 'updated_at', type: 'bigint' },
  },
});
