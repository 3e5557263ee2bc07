import { describe, expect, it } from 'vitest';
import { formatReset, retryAfterSeconds } from '../../src/limits/reset-format.js';
import { chargeUnits, describeAmount, microUsd, windowSeconds } from '../../src/limits/policy-math.js';
import { maskApiKey } from '../../src/proxy/api-key-mask.js';

describe('reset times and amounts', () => {
  it("formats x-ratelimit-reset-* like OpenAI (Go durations), rounding up", () => {
    expect([0, -5, 17, 999, 1000, 1001, 59_000, 60_000, 360_000, 361_500, 3_600_000, 86_400_000].map(formatReset)).toEqual([
      '0s', '0s', '17ms', '999ms', '1s', '2s', '59s', '1m0s', '6m0s', '6m2s', '1h0m0s', '24h0m0s',
    ]);
  });

  it('Retry-After is whole seconds, rounded up, at least 1', () => {
    expect([0, 1, 999, 1000, 1001, 59_500].map(retryAfterSeconds)).toEqual([1, 1, 1, 1, 2, 60]);
  });

  it('windows are whole seconds; cost is integer micro-USD; usage charges per dimension', () => {
    expect([500, 1000, 1500, 60_000].map(windowSeconds)).toEqual([1, 1, 2, 60]);
    expect(microUsd(5)).toBe(5_000_000);
    expect(microUsd(0.1 + 0.2)).toBe(300_000);
    const usage = { inputTokens: 100, outputTokens: 20.4, costMicroUsd: 1234 };
    expect(['requests', 'tokens', 'inputTokens', 'outputTokens', 'costUsd'].map((d) => chargeUnits(d as never, usage))).toEqual([0, 120, 100, 20, 1234]);
    expect(chargeUnits('costUsd', { ...usage, costMicroUsd: null })).toBe(0);
    expect(describeAmount('costUsd', 5_000_000)).toBe('$5.00');
    expect(describeAmount('requests', 1)).toBe('1 request');
  });

  it('masks presented keys OpenAI-style, never enough to use them', () => {
    expect(maskApiKey('sk-clb-abcdefghijklmnopqrstuvwxyz0123456789yz')).toBe('sk-clb-ab***yz');
    expect(maskApiKey('short-key-123')).toBe('sho***23');
    expect(maskApiKey('dummy')).toBe('***');
  });
});
