import type { ChatgptAccountConfig } from '../../config/schema.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { SecretBox } from '../../shared/secret-box.js';
import { jwtExpiresAt } from './jwt.js';
import type { OAuthRefreshClient } from './oauth-refresh-client.js';
import { readTokenSource } from './token-source.js';
import { adoptNewer, identityOf, openState, sealState, stateFromTokens, type TokenState } from './token-state.js';
import type { TokenVault } from './token-vault.js';

/** A chatgpt account as the token manager needs it. */
export interface ChatgptAccountRef {
  readonly id: string;
  readonly config: ChatgptAccountConfig;
}

/** What an upstream call needs: never logged, never put in an error. */
export interface AccessGrant {
  readonly accessToken: string;
  readonly chatgptAccountId: string;
}

/** The account cannot get a usable token now. `permanent`: only a new sign-in helps. */
export class CredentialError extends Error {
  constructor(
    readonly accountId: string,
    readonly permanent: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'CredentialError';
  }
}

/**
 * Serialises refreshes of one account across the instances sharing the vault (the cluster's
 * Redis lock): OAuth refresh tokens rotate, so a second refresh with the same token would be
 * refused as reused and cost the seat its sign-in.
 */
export interface RefreshCoordinator {
  /** Runs `task` holding the account's cluster-wide refresh lock, after any other holder is done. */
  exclusive(accountId: string, task: () => Promise<void>): Promise<void>;
  /** Tells the other instances that the account's tokens in the vault changed. */
  announce(accountId: string): void;
}

export interface TokenManagerOptions {
  vault: TokenVault;
  /** Several instances: one refresh at a time per account for all of them (absent = this process only). */
  coordinator?: RefreshCoordinator;
  box: SecretBox;
  oauth: OAuthRefreshClient;
  clock: Clock;
  logger: Logger;
  /** Refresh this long before the access token's `exp` (default 5 minutes). */
  refreshMarginMs?: number;
  /** How often the configured auth file is looked at again (default 5 s). */
  sourceRecheckMs?: number;
}

export interface TokenStatus {
  reauthRequired: boolean;
  reauthReason: string | null;
  expiresAt: number | null;
  refreshedAt: number | null;
  planType: string | null;
}

/**
 * OAuth tokens of every chatgpt account: loaded from the vault (refreshed tokens, decrypted) or
 * the configured source, refreshed shortly before they expire and after an upstream 401, one
 * refresh per account at a time however many requests need it, persisted sealed after each
 * refresh. A dead refresh token marks the account `reauth_required` (persisted, with the reason)
 * until its configured tokens change. Long-lived (built in main), keyed by account id.
 */
export class TokenManager {
  private readonly states = new Map<string, TokenState>();
  private readonly loading = new Map<string, Promise<TokenState>>();
  private readonly marginMs: number;
  private readonly recheckMs: number;

  constructor(private readonly options: TokenManagerOptions) {
    this.marginMs = options.refreshMarginMs ?? 5 * 60_000;
    this.recheckMs = options.sourceRecheckMs ?? 5_000;
  }

  /** A valid access token for the account, refreshing first when it is (nearly) expired. */
  async grant(account: ChatgptAccountRef): Promise<AccessGrant> {
    const state = await this.state(account);
    if (state.reauthReason === null && this.expiring(state)) {
      try {
        await this.refresh(account, state, () => this.expiring(state));
      } catch (error) {
        // A transient refresh failure is survivable while the current token is still valid.
        const stillValid = state.expiresAt !== null && state.expiresAt > this.options.clock.now();
        if (!(error instanceof CredentialError) || error.permanent || !stillValid) throw error;
      }
    }
    return this.toGrant(account.id, state);
  }

  /**
   * The upstream rejected `rejected` with 401: refresh (unless another request already did) and
   * return the new grant for the one retry.
   */
  async refreshAfterUnauthorized(account: ChatgptAccountRef, rejected: string): Promise<AccessGrant> {
    const state = await this.state(account);
    if (state.inflight !== null) await state.inflight.catch(() => {});
    if (state.accessToken === rejected && state.reauthReason === null) await this.refresh(account, state, () => state.accessToken === rejected || this.expiring(state));
    return this.toGrant(account.id, state);
  }

  /**
   * Another instance stored new tokens for the account: take them now rather than at the next
   * refresh (our refresh token is spent anyway). Errors are ignored: the next refresh re-reads.
   */
  async vaultChanged(accountId: string): Promise<void> {
    const state = this.states.get(accountId);
    if (state === undefined || state.inflight !== null) return;
    await this.adoptStored(accountId, state).catch(() => undefined);
  }

  /** Synchronous view for routing and the admin API; unknown accounts report nothing yet. */
  status(accountId: string): TokenStatus | null {
    const state = this.states.get(accountId);
    if (state === undefined) return null;
    return {
      reauthRequired: state.reauthReason !== null,
      reauthReason: state.reauthReason,
      expiresAt: state.expiresAt,
      refreshedAt: state.refreshedAt,
      planType: identityOf(state).planType,
    };
  }

  /** Loads every account's state ahead of traffic, so routing and the admin API know it at once. */
  async preload(accounts: readonly ChatgptAccountRef[]): Promise<void> {
    await Promise.all(accounts.map((account) => this.state(account).catch(() => undefined)));
  }

  private toGrant(accountId: string, state: TokenState): AccessGrant {
    if (state.reauthReason !== null) throw new CredentialError(accountId, true, `account '${accountId}' needs a new sign-in: ${state.reauthReason}`);
    const id = identityOf(state).accountId;
    if (id === null) throw new CredentialError(accountId, true, `account '${accountId}' has no ChatGPT account id (set tokens.accountId, or sign in again with codex login)`);
    return { accessToken: state.accessToken, chatgptAccountId: id };
  }

  /** The one state object of the account (created once; single-flight), re-synced with its source. */
  private async state(account: ChatgptAccountRef): Promise<TokenState> {
    const known = this.states.get(account.id);
    const now = this.options.clock.now();
    if (known !== undefined && now - known.checkedAt < this.recheckMs) return known;
    let pending = this.loading.get(account.id);
    if (pending === undefined) {
      pending = this.sync(account, known).finally(() => this.loading.delete(account.id));
      this.loading.set(account.id, pending);
    }
    return pending;
  }

  private async sync(account: ChatgptAccountRef, known: TokenState | undefined): Promise<TokenState> {
    const now = this.options.clock.now();
    const read = await readTokenSource(account.config);
    if (!read.ok) {
      // A file being rewritten by `codex login` must not take a working account down.
      if (known !== undefined) return known;
      throw new CredentialError(account.id, false, `account '${account.id}': ${read.reason}`);
    }
    const { source } = read;
    if (known !== undefined && known.source === source.fingerprint) {
      known.checkedAt = now;
      return known;
    }
    let state: TokenState;
    if (known === undefined) {
      state = (await this.fromVault(account.id, source.fingerprint, now)) ?? stateFromTokens(source.fingerprint, source.tokens, now);
    } else {
      // The configured tokens changed (a new sign-in): they replace ours and clear any verdict.
      state = stateFromTokens(source.fingerprint, source.tokens, now);
      if (known.reauthReason !== null) await this.persist(account.id, { reauthReason: null });
      this.options.logger.info({ account: account.id }, `account '${account.id}': configured tokens changed, using them`);
    }
    this.states.set(account.id, state);
    return state;
  }

  private async fromVault(accountId: string, fingerprint: string, now: number): Promise<TokenState | null> {
    let record;
    try {
      record = await this.options.vault.load(accountId);
    } catch (error) {
      this.options.logger.warn({ account: accountId, err: errorName(error) }, 'stored tokens could not be read; using the configured ones');
      return null;
    }
    if (record === null || record.sealedTokens === null) return null;
    const stored = openState(this.options.box, accountId, record.sealedTokens, now);
    if (stored === null) {
      this.options.logger.warn({ account: accountId }, 'stored tokens cannot be decrypted (another encryption key?); using the configured ones');
      return null;
    }
    if (stored.source !== fingerprint) {
      if (record.reauthReason !== null) await this.persist(accountId, { reauthReason: null });
      return null;
    }
    stored.reauthReason = record.reauthReason;
    return stored;
  }

  private expiring(state: TokenState): boolean {
    return state.expiresAt !== null && state.expiresAt - this.marginMs <= this.options.clock.now();
  }

  /** `stale`: whether the state (re-read from the vault under the cluster lock) still needs a refresh. */
  private refresh(account: ChatgptAccountRef, state: TokenState, stale: () => boolean): Promise<void> {
    state.inflight ??= this.coordinatedRefresh(account, state, stale).finally(() => {
      state.inflight = null;
    });
    return state.inflight;
  }

  private async coordinatedRefresh(account: ChatgptAccountRef, state: TokenState, stale: () => boolean): Promise<void> {
    const coordinator = this.options.coordinator;
    if (coordinator === undefined) return this.runRefresh(account, state);
    await coordinator.exclusive(account.id, async () => {
      // Whoever held the lock before us may have refreshed: its tokens are in the vault, and the
      // refresh token we hold is spent. Only refresh when what is stored is stale too.
      await this.adoptStored(account.id, state).catch((error: unknown) => {
        this.options.logger.warn({ account: account.id, err: errorName(error) }, 'stored tokens could not be read before refreshing');
      });
      if (state.reauthReason !== null || !stale()) return;
      try {
        await this.runRefresh(account, state);
      } finally {
        // A refresh that failed permanently stored a verdict the others should see as well.
        coordinator.announce(account.id);
      }
    });
  }

  /** Takes the vault's tokens when they descend from the same sign-in and are newer than ours. */
  private async adoptStored(accountId: string, state: TokenState): Promise<void> {
    const record = await this.options.vault.load(accountId);
    if (record === null || record.sealedTokens === null) return;
    const stored = openState(this.options.box, accountId, record.sealedTokens, this.options.clock.now());
    if (stored === null || stored.source !== state.source) return;
    if (adoptNewer(state, stored)) {
      this.options.logger.info({ account: accountId, expiresAt: state.expiresAt }, `account '${accountId}': using the tokens another instance refreshed`);
    }
    // The stored verdict is about the stored tokens: it applies when those are what we hold now.
    if (stored.accessToken === state.accessToken) state.reauthReason = record.reauthReason;
  }

  private async runRefresh(account: ChatgptAccountRef, state: TokenState): Promise<void> {
    const { logger, clock } = this.options;
    if (state.refreshToken === null) {
      await this.markReauth(account.id, state, 'the access token expired or was rejected and there is no refresh token');
      return;
    }
    const outcome = await this.options.oauth.refresh(account.config.tokenUrl, state.refreshToken, clock.now());
    if (!outcome.ok) {
      if (outcome.permanent) await this.markReauth(account.id, state, `token refresh failed permanently: ${outcome.reason}`);
      logger.warn({ account: account.id }, `account '${account.id}': token refresh failed: ${outcome.reason}`);
      throw new CredentialError(account.id, false, `account '${account.id}': token refresh failed: ${outcome.reason}`);
    }
    const t = outcome.tokens;
    state.accessToken = t.accessToken;
    state.refreshToken = t.refreshToken ?? state.refreshToken;
    state.idToken = t.idToken ?? state.idToken;
    state.expiresAt = jwtExpiresAt(t.accessToken) ?? t.expiresAt;
    state.refreshedAt = clock.now();
    await this.persist(account.id, { sealedTokens: sealState(this.options.box, account.id, state), reauthReason: null });
    logger.info({ account: account.id, expiresAt: state.expiresAt }, `account '${account.id}': access token refreshed`);
  }

  private async markReauth(accountId: string, state: TokenState, reason: string): Promise<never> {
    state.reauthReason = reason;
    await this.persist(accountId, { sealedTokens: sealState(this.options.box, accountId, state), reauthReason: reason });
    this.options.logger.warn({ account: accountId }, `account '${accountId}' needs a new sign-in (reauth_required): ${reason}`);
    throw new CredentialError(accountId, true, `account '${accountId}' needs a new sign-in: ${reason}`);
  }

  /** Persistence failures are logged, not fatal: the tokens stay valid in memory. */
  private async persist(accountId: string, patch: Parameters<TokenVault['save']>[1]): Promise<void> {
    try {
      await this.options.vault.save(accountId, patch);
    } catch (error) {
      this.options.logger.warn({ account: accountId, err: errorName(error) }, 'could not persist account tokens; they stay in memory');
    }
  }
}

/** Only the error's name: store errors may echo parameters (sealed tokens) in their message. */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'error';
}
