import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatgptAccountConfig } from '../../src/config/schema.js';
import { OAuthRefreshClient } from '../../src/providers/chatgpt/oauth-refresh-client.js';
import { CredentialError, TokenManager, type ChatgptAccountRef } from '../../src/providers/chatgpt/token-manager.js';
import { MemoryTokenVault } from '../../src/providers/chatgpt/token-vault.js';
import { systemClock } from '../../src/shared/clock.js';
import { loadEncryptionKey } from '../../src/shared/encryption-key.js';
import { createLogger } from '../../src/shared/logger.js';
import { SecretBox } from '../../src/shared/secret-box.js';
import { FakeOAuthServer, type SeededAccount } from '../fakes/oauth-server.js';
import { captureLogs } from './log-lines.js';

let oauth: FakeOAuthServer;
const dir = mkdtempSync(join(tmpdir(), 'codex-lb-tokens-'));
const box = new SecretBox(randomBytes(32));

beforeAll(async () => {
  oauth = await FakeOAuthServer.start();
});
afterAll(async () => {
  await oauth.close();
});

function authFile(name: string, seeded: SeededAccount): string {
  const file = join(dir, `${name}.json`);
  const tokens = { id_token: seeded.idToken, access_token: seeded.accessToken, refresh_token: seeded.refreshToken, account_id: seeded.accountId };
  writeFileSync(file, JSON.stringify({ OPENAI_API_KEY: null, tokens, last_refresh: new Date().toISOString() }));
  return file;
}

function account(id: string, file: string): ChatgptAccountRef {
  const config: ChatgptAccountConfig = {
    id, kind: 'chatgpt', authFile: file, enabled: true, weight: 1, priority: 0, policies: [],
    baseUrl: 'http://127.0.0.1:9/backend-api/codex', tokenUrl: oauth.tokenUrl,
  };
  return { id, config };
}

function manager(vault = new MemoryTokenVault(), logger = createLogger({ level: 'silent' })): TokenManager {
  return new TokenManager({ vault, box, oauth: new OAuthRefreshClient(), clock: systemClock, logger });
}

describe('TokenManager', () => {
  it('uses the file tokens while they are valid, and refreshes shortly before expiry', async () => {
    const fresh = oauth.seed('acct-fresh', 'pro', 3600);
    const tokens = manager();
    const ref = account('fresh', authFile('fresh', fresh));
    expect(await tokens.grant(ref)).toEqual({ accessToken: fresh.accessToken, chatgptAccountId: 'acct-fresh' });
    expect(oauth.refreshes.get('acct-fresh')).toBeUndefined();

    const expiring = oauth.seed('acct-expiring', 'plus', 60); // inside the 5-minute margin
    const ref2 = account('expiring', authFile('expiring', expiring));
    const grant = await tokens.grant(ref2);
    expect(grant.accessToken).not.toBe(expiring.accessToken);
    expect(oauth.validate(grant.accessToken)).toBe('acct-expiring');
    expect(oauth.refreshes.get('acct-expiring')).toBe(1);
    expect(tokens.status('expiring')).toMatchObject({ reauthRequired: false, planType: 'plus' });
  });

  it('refreshes once for ten concurrent callers (single-flight)', async () => {
    const seeded = oauth.seed('acct-burst', 'plus', -10);
    oauth.delayMs = 50;
    try {
      const tokens = manager();
      const ref = account('burst', authFile('burst', seeded));
      const grants = await Promise.all(Array.from({ length: 10 }, () => tokens.grant(ref)));
      expect(new Set(grants.map((g) => g.accessToken)).size).toBe(1);
      expect(oauth.refreshes.get('acct-burst')).toBe(1);
      // Ten callers that saw the same token rejected (401) also share one refresh.
      const rejected = grants[0].accessToken;
      const retried = await Promise.all(Array.from({ length: 10 }, () => tokens.refreshAfterUnauthorized(ref, rejected)));
      expect(new Set(retried.map((g) => g.accessToken)).size).toBe(1);
      expect(retried[0].accessToken).not.toBe(rejected);
      expect(oauth.refreshes.get('acct-burst')).toBe(2);
    } finally {
      oauth.delayMs = 0;
    }
  });

  it('persists refreshed tokens sealed, and a new instance prefers them over the older file', async () => {
    const seeded = oauth.seed('acct-persist', 'plus', -10);
    const vault = new MemoryTokenVault();
    const ref = account('persist', authFile('persist', seeded));
    const first = await manager(vault).grant(ref);
    const stored = vault.records.get('persist');
    expect(stored?.sealedTokens).toBeTruthy();
    for (const secret of [first.accessToken, seeded.refreshToken, seeded.idToken]) expect(stored?.sealedTokens).not.toContain(secret);

    // A restart: the file still holds the old (expired, and now used) refresh token.
    const second = await manager(vault).grant(ref);
    expect(second.accessToken).toBe(first.accessToken);
    expect(oauth.refreshes.get('acct-persist')).toBe(1);

    // A new `codex login` rewrites the file: its tokens win.
    const relogin = oauth.seed('acct-persist', 'plus', 3600);
    writeFileSync(ref.config.authFile ?? '', JSON.stringify({ tokens: { access_token: relogin.accessToken, refresh_token: relogin.refreshToken, id_token: relogin.idToken } }));
    expect((await manager(vault).grant(ref)).accessToken).toBe(relogin.accessToken);
  });

  it('marks the account reauth_required on invalid_grant, persisted, without leaking tokens', async () => {
    const seeded = oauth.seed('acct-dead', 'plus', -10);
    const vault = new MemoryTokenVault();
    const logs = captureLogs();
    const ref = account('dead', authFile('dead', seeded));
    oauth.failWith = { status: 400, error: 'invalid_grant', description: 'Refresh token has been revoked.' };
    try {
      const error = await manager(vault, logs.logger).grant(ref).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CredentialError);
      expect((error as CredentialError).permanent).toBe(true);
      expect((error as Error).message).toContain('invalid_grant');
      expect(vault.records.get('dead')?.reauthReason).toMatch(/invalid_grant/);
      // Another instance knows without asking the token endpoint again.
      const before = oauth.refreshRequests;
      const again = manager(vault);
      await expect(again.grant(ref)).rejects.toThrow(/new sign-in/);
      expect(again.status('dead')).toMatchObject({ reauthRequired: true, reauthReason: expect.stringContaining('invalid_grant') });
      expect(oauth.refreshRequests).toBe(before);
      const text = logs.text() + String((error as Error).message);
      for (const secret of [seeded.accessToken, seeded.refreshToken, seeded.idToken]) expect(text).not.toContain(secret);
    } finally {
      oauth.failWith = null;
    }
  });
});

describe('encryption key', () => {
  it('reads CODEX_LB_ENCRYPTION_KEY (hex or base64) and otherwise creates a 0600 key file next to the database', () => {
    const hex = randomBytes(32).toString('hex');
    expect(loadEncryptionKey({ CODEX_LB_ENCRYPTION_KEY: hex }, 'sqlite:x.sqlite').key.toString('hex')).toBe(hex);
    expect(() => loadEncryptionKey({ CODEX_LB_ENCRYPTION_KEY: 'short' }, 'sqlite:x.sqlite')).toThrow(/32 bytes/);
    const db = join(mkdtempSync(join(tmpdir(), 'codex-lb-key-')), 'data', 'gw.sqlite');
    const created = loadEncryptionKey({}, `sqlite:${db}`);
    expect(created.source).toBe(join(db, '..', 'codex-lb.key'));
    expect(statSync(created.source).mode & 0o777).toBe(0o600);
    expect(loadEncryptionKey({}, `sqlite:${db}`).key.equals(created.key)).toBe(true);
    expect(readFileSync(created.source, 'utf8').trim()).toBe(created.key.toString('base64'));
  });

  it('seals with AES-256-GCM bound to the account', () => {
    const sealed = box.seal('secret', 'account-a');
    expect(sealed).not.toContain('secret');
    expect(box.open(sealed, 'account-a')).toBe('secret');
    expect(box.open(sealed, 'account-b')).toBeNull();
    expect(new SecretBox(randomBytes(32)).open(sealed, 'account-a')).toBeNull();
  });
});
