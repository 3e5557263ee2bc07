import type { DataSource } from 'typeorm';
import { accountStateEntity, type AccountStateRow } from './entities/account-state.entity.js';
import { toNumber, toNumberOrNull } from './sql-dialect.js';

/** Runtime state of one upstream account, kept across restarts and config reloads. */
export interface AccountRuntimeState {
  accountId: string;
  /** Epoch ms until which the router skips the account; null = available. */
  cooldownUntil: number | null;
  /** Last quota snapshot as reported upstream (plain JSON); null = none yet. */
  quota: unknown;
  /** Manually paused by an admin. */
  paused: boolean;
  /** ChatGPT accounts: refreshed OAuth tokens, sealed by the gateway (never clear text); null = none. */
  oauthTokens: string | null;
  /** ChatGPT accounts: why a new sign-in is needed (reauth_required); null = it is not. */
  reauthReason: string | null;
  updatedAt: number;
}

export type AccountStatePatch = Partial<Pick<AccountRuntimeState, 'cooldownUntil' | 'quota' | 'paused' | 'oauthTokens' | 'reauthReason'>>;

export interface AccountStateStore {
  get(accountId: string): Promise<AccountRuntimeState | null>;
  list(): Promise<AccountRuntimeState[]>;
  /** Merge `patch` into the stored state (created with defaults when absent) and return the result. */
  update(accountId: string, patch: AccountStatePatch, now?: number): Promise<AccountRuntimeState>;
  remove(accountId: string): Promise<void>;
}

export class SqlAccountStateStore implements AccountStateStore {
  constructor(private readonly dataSource: DataSource) {}

  async get(accountId: string): Promise<AccountRuntimeState | null> {
    const row = await this.dataSource.getRepository(accountStateEntity).findOneBy({ accountId });
    return row ? fromRow(row) : null;
  }

  async list(): Promise<AccountRuntimeState[]> {
    const rows = await this.dataSource.getRepository(accountStateEntity).find({ order: { accountId: 'ASC' } });
    return rows.map(fromRow);
  }

  async update(accountId: string, patch: AccountStatePatch, now = Date.now()): Promise<AccountRuntimeState> {
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(accountStateEntity);
      const current = await repo.findOneBy({ accountId });
      const next: AccountRuntimeState = {
        ...(current ? fromRow(current) : { accountId, cooldownUntil: null, quota: null, paused: false, oauthTokens: null, reauthReason: null }),
        ...patch,
        accountId,
        updatedAt: now,
      };
      await repo.upsert(toRow(next), ['accountId']);
      return next;
    });
  }

  async remove(accountId: string): Promise<void> {
    await this.dataSource.getRepository(accountStateEntity).delete({ accountId });
  }
}

function fromRow(row: AccountStateRow): AccountRuntimeState {
  return {
    accountId: row.accountId,
    cooldownUntil: toNumberOrNull(row.cooldownUntil),
    quota: row.quotaJson === null ? null : (JSON.parse(row.quotaJson) as unknown),
    // SQLite hands booleans back as 0/1 in some paths, MariaDB as tinyint.
    paused: Boolean(toNumber(row.paused)),
    oauthTokens: row.oauthTokens ?? null,
    reauthReason: row.reauthReason ?? null,
    updatedAt: toNumber(row.updatedAt),
  };
}

function toRow(state: AccountRuntimeState): AccountStateRow {
  return {
    accountId: state.accountId,
    cooldownUntil: state.cooldownUntil,
    quotaJson: state.quota === null || state.quota === undefined ? null : JSON.stringify(state.quota),
    paused: state.paused,
    oauthTokens: state.oauthTokens,
    reauthReason: state.reauthReason === null ? null : state.reauthReason.slice(0, 512),
    updatedAt: state.updatedAt,
  };
}
