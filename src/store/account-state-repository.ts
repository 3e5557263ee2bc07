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

  /**
   * Writes only the patched columns, in one upsert: several instances update one account's row
   * (one its sealed tokens, another its quota), and a read-modify-write of the whole row would let
   * the later writer put back what the earlier one replaced. Returns the row as it is afterwards.
   */
  async update(accountId: string, patch: AccountStatePatch, now = Date.now()): Promise<AccountRuntimeState> {
    // No transaction: the upsert is atomic on its own, and SQLite's one connection refuses a
    // second transaction while another update holds it.
    const repo = this.dataSource.getRepository(accountStateEntity);
    await repo.upsert(patchRow(accountId, patch, now), ['accountId']);
    const row = await repo.findOneBy({ accountId });
    if (row === null) throw new Error(`account state of '${accountId}' vanished during its update`);
    return fromRow(row);
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

/** The row's key, `updatedAt` and exactly the patched columns (absent ones keep their value, or their default on insert). */
function patchRow(accountId: string, patch: AccountStatePatch, now: number): Partial<AccountStateRow> {
  const row: Partial<AccountStateRow> = { accountId, updatedAt: now };
  if (patch.cooldownUntil !== undefined) row.cooldownUntil = patch.cooldownUntil;
  if (patch.quota !== undefined) row.quotaJson = patch.quota === null ? null : JSON.stringify(patch.quota);
  if (patch.paused !== undefined) row.paused = patch.paused;
  if (patch.oauthTokens !== undefined) row.oauthTokens = patch.oauthTokens;
  if (patch.reauthReason !== undefined) row.reauthReason = patch.reauthReason === null ? null : patch.reauthReason.slice(0, 512);
  return row;
}
