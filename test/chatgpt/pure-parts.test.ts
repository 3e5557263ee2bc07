import { describe, expect, it } from 'vitest';
import { parseAuthFile } from '../../src/providers/chatgpt/auth-file.js';
import { aggregateQuota, quotaFromHeaders, quotaFromRateLimitsEvent, quotaHeaders, remainingFraction } from '../../src/providers/chatgpt/codex-quota.js';
import { chatgptClaims, jwtExpiresAt } from '../../src/providers/chatgpt/jwt.js';
import { normaliseResponsesRequest } from '../../src/providers/chatgpt/responses-normaliser.js';
import { GatewayError } from '../../src/shared/errors.js';
import { fakeIdToken, fakeJwt } from './jwt-helpers.js';

describe('auth.json', () => {
  it('reads the Codex CLI snake_case file', () => {
    const text = JSON.stringify({
      OPENAI_API_KEY: null,
      tokens: { id_token: 'id.t.k', access_token: 'acc', refresh_token: 'ref', account_id: 'acct-1' },
      last_refresh: '2026-01-02T03:04:05Z',
    });
    expect(parseAuthFile(text)).toEqual({
      ok: true,
      tokens: { accessToken: 'acc', refreshToken: 'ref', idToken: 'id.t.k', accountId: 'acct-1', lastRefresh: Date.parse('2026-01-02T03:04:05Z') },
    });
  });

  it('reads camelCase spellings, nested or at the top level', () => {
    const nested = parseAuthFile(JSON.stringify({ tokens: { accessToken: 'a', refreshToken: 'r', idToken: 'i', accountId: 'x' }, lastRefresh: '2026-01-01' }));
    const flat = parseAuthFile(JSON.stringify({ accessToken: 'a', refreshToken: 'r' }));
    expect(nested.ok && nested.tokens).toMatchObject({ accessToken: 'a', refreshToken: 'r', idToken: 'i', accountId: 'x' });
    expect(flat.ok && flat.tokens).toMatchObject({ accessToken: 'a', refreshToken: 'r', idToken: null, accountId: null, lastRefresh: null });
  });

  it('explains a broken file without quoting it', () => {
    const broken = parseAuthFile('{"tokens": {"refresh_token": "secret-value"}}');
    expect(broken).toEqual({ ok: false, reason: expect.stringContaining('access_token') });
    expect(JSON.stringify(broken)).not.toContain('secret-value');
    expect(parseAuthFile('not json')).toEqual({ ok: false, reason: 'is not valid JSON' });
  });
});

describe('JWT payloads', () => {
  it('reads exp and the OpenAI auth claim', () => {
    expect(jwtExpiresAt(fakeJwt({ exp: 1_800_000_000 }))).toBe(1_800_000_000_000);
    expect(jwtExpiresAt('opaque-token')).toBeNull();
    expect(chatgptClaims(fakeIdToken('acct-9', 'pro'))).toEqual({ accountId: 'acct-9', planType: 'pro' });
    expect(chatgptClaims('x.!!!.y')).toEqual({ accountId: null, planType: null });
  });
});

describe('quota', () => {
  const now = 1_767_225_600_000;
  const headers: Record<string, string> = {
    'x-codex-primary-used-percent': '25.5',
    'x-codex-primary-window-minutes': '300',
    'x-codex-primary-reset-at': String(now / 1000 + 3600),
    'x-codex-secondary-used-percent': '60',
    'x-codex-secondary-window-minutes': '10080',
    'x-codex-secondary-reset-at': String(now / 1000 + 86_400),
  };

  it('parses the x-codex headers (reset-at in epoch seconds)', () => {
    const quota = quotaFromHeaders((name) => headers[name], now);
    expect(quota).toEqual({
      primary: { usedPercent: 25.5, windowMinutes: 300, resetAt: now + 3_600_000 },
      secondary: { usedPercent: 60, windowMinutes: 10080, resetAt: now + 86_400_000 },
      observedAt: now,
    });
    expect(remainingFraction(quota, now)).toBeCloseTo(0.4);
    // Once the weekly window has reset, only the 5-hour one limits.
    expect(remainingFraction(quota, now + 86_400_001)).toBe(1);
    expect(quotaHeaders(quota, now)).toEqual(headers);
    expect(quotaFromHeaders(() => undefined, now)).toBeNull();
  });

  it('parses codex.rate_limits events', () => {
    const quota = quotaFromRateLimitsEvent(
      { type: 'codex.rate_limits', rate_limits: { primary: { used_percent: 90, window_minutes: 300, reset_at: now / 1000 + 60 }, secondary: null } },
      now,
    );
    expect(quota).toEqual({ primary: { usedPercent: 90, windowMinutes: 300, resetAt: now + 60_000 }, secondary: null, observedAt: now });
  });

  it('aggregates a pool by capacity, earliest reset first', () => {
    const a = { primary: { usedPercent: 100, windowMinutes: 300, resetAt: now + 1000 }, secondary: null, observedAt: now };
    const b = { primary: { usedPercent: 0, windowMinutes: 300, resetAt: now + 5000 }, secondary: null, observedAt: now };
    expect(aggregateQuota([{ quota: a, capacity: 1 }, { quota: b, capacity: 3 }], now)?.primary).toEqual({ usedPercent: 25, windowMinutes: 300, resetAt: now + 1000 });
    expect(aggregateQuota([{ quota: null, capacity: 1 }], now)).toBeNull();
  });
});

describe('/v1/responses normalisation for the Codex backend', () => {
  it('forces store false and streaming, drops what the backend rejects, hoists developer input', () => {
    const result = normaliseResponsesRequest(
      {
        model: 'codex',
        input: [
          { role: 'developer', content: 'Be brief.' },
          { type: 'message', role: 'system', content: [{ type: 'input_text', text: 'No emojis.' }] },
          { role: 'user', content: 'Hi' },
          { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAA' },
          { role: 'developer', content: 'Later note.' },
        ],
        max_output_tokens: 100,
        temperature: 1,
        top_p: 0.5,
        store: true,
        include: ['reasoning.encrypted_content'],
        prompt_cache_key: 'thread-1',
      },
      'gpt-5.3-codex',
    );
    expect(result.stream).toBe(false);
    expect(result.dropped).toEqual(['max_output_tokens', 'temperature', 'top_p']);
    expect(result.hoisted).toBe(2);
    expect(result.body).toEqual({
      model: 'gpt-5.3-codex',
      instructions: 'Be brief.\n\nNo emojis.',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAA' },
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Later note.' }] },
      ],
      store: false,
      stream: true,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'thread-1',
    });
  });

  it('keeps given instructions and turns a string input into a user message', () => {
    const result = normaliseResponsesRequest({ model: 'x', instructions: 'Sys', input: 'Hello', stream: true }, 'up');
    expect(result.stream).toBe(true);
    expect(result.body.instructions).toBe('Sys');
    expect(result.body.input).toEqual([{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello' }] }]);
  });

  it('answers 400 on a malformed input', () => {
    expect(() => normaliseResponsesRequest({ input: 42 }, 'up')).toThrow(GatewayError);
  });
});
