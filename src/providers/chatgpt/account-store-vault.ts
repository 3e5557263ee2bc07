import type { CodexQuota, QuotaWindow } from './codex-quota.js';
import type { TokenVault, TokenVaultRecord } from './token-vault.js';

/**
 * The store's account runtime state rows, as far as chatgpt accounts use them (structurally the
 * store's AccountStateStore: providers do not import the store).
 */
export interface AccountRowStore {
  get(accountId: string): Promise<{ oauthTokens: string | null; reauthReason: string | null } | null>;
  list(): Promise<Array<{ accountId: string; quota: unknown }>>;
  update(accountId: string, patch: { oauthTokens?: string | null; reauthReason?: string | null; quota?: unknown }): Promise<unknown>;
}

/** Sealed tokens and the re-auth verdict in the account's row. */
export class AccountStoreVault implements TokenVault {
  constructor(private readonly rows: AccountRowStore) {}

  async load(accountId: string): Promise<TokenVaultRecord | null> {
    const row = await this.rows.get(accountId);
    return row === null ? null : { sealedTokens: row.oauthTokens, reauthReason: row.reauthReason };
  }

  async save(accountId: string, patch: Partial<TokenVaultRecord>): Promise<void> {
    const update: { oauthTokens?: string | null; reauthReason?: string | null } = {};
    if (patch.sealedTokens !== undefined) update.oauthTokens = patch.sealedTokens;
    if (patch.reauthReason !== undefined) update.reauthReason = patch.reauthReason;
    await this.rows.update(accountId, update);
  }
}

/** The admin API's view of a quota: one entry per reported window. */
export interface QuotaWindowView {
  name: string;
  usedPercent: number | null;
  windowMinutes: number | null;
  resetsAt: number | null;
}

export function quotaWindowViews(quota: CodexQuota | null): QuotaWindowView[] {
  if (quota === null) return [];
  const view = (name: string, window: QuotaWindow | null): QuotaWindowView[] =>
    window === null ? [] : [{ name, usedPercent: window.usedPercent, windowMinutes: window.windowMinutes, resetsAt: window.resetAt }];
  return [...view('primary', quota.primary), ...view('secondary', quota.secondary)];
}
