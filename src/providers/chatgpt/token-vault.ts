/**
 * Where refreshed tokens and the re-auth verdict of each ChatGPT account are kept across
 * restarts. The tokens are sealed (encrypted) before they get here. The store's account state
 * table implements it in production (see account-store-vault.ts); tests and store-less runs use
 * the memory one.
 */
export interface TokenVaultRecord {
  /** SecretBox-sealed JSON of the current tokens; null when none were stored. */
  sealedTokens: string | null;
  /** Why the account needs a new sign-in; null when it does not. */
  reauthReason: string | null;
}

export interface TokenVault {
  load(accountId: string): Promise<TokenVaultRecord | null>;
  save(accountId: string, patch: Partial<TokenVaultRecord>): Promise<void>;
}

export class MemoryTokenVault implements TokenVault {
  readonly records = new Map<string, TokenVaultRecord>();

  async load(accountId: string): Promise<TokenVaultRecord | null> {
    return this.records.get(accountId) ?? null;
  }

  async save(accountId: string, patch: Partial<TokenVaultRecord>): Promise<void> {
    const current = this.records.get(accountId) ?? { sealedTokens: null, reauthReason: null };
    this.records.set(accountId, { ...current, ...patch });
  }
}
