import { describe, expect, it } from 'vitest';
import { BUILTIN_PRICES, costMicroUsd, microUsdToUsd, resolvePrice } from '../../src/usage/pricing.js';

const usage = (inputTokens: number, cachedInputTokens: number, outputTokens: number, reasoningTokens = 0) => ({
  inputTokens,
  cachedInputTokens,
  outputTokens,
  reasoningTokens,
});

describe('pricing', () => {
  it('prices uncached input, cached input and output per million tokens, as integer micro-USD', () => {
    const price = resolvePrice(['gpt-5.3-codex']);
    expect(price).toEqual({ input: 1.75, cachedInput: 0.175, output: 14 });
    // 1M input of which 400k cached, 100k output: 600k×1.75 + 400k×0.175 + 100k×14 µ$
    expect(costMicroUsd(usage(1_000_000, 400_000, 100_000), price)).toBe(1_050_000 + 70_000 + 1_400_000);
    expect(microUsdToUsd(2_520_000)).toBe(2.52);
  });

  it('does not bill reasoning twice: OpenAI output tokens already include it', () => {
    const price = resolvePrice(['o4-mini']);
    const withReasoning = costMicroUsd(usage(1000, 0, 500, 400), price);
    expect(withReasoning).toBe(costMicroUsd(usage(1000, 0, 500, 0), price));
    // An upstream that reports reasoning separately gets it billed at the output price.
    expect(costMicroUsd(usage(1000, 0, 500, 400), price, { reasoningIncludedInOutput: false })).toBe(withReasoning! + 400 * 4.4);
  });

  it('rounds once, at the end', () => {
    expect(costMicroUsd(usage(3, 0, 1), resolvePrice(['gpt-4o-mini']))).toBe(Math.round(3 * 0.15 + 0.6));
    expect(Number.isInteger(costMicroUsd(usage(123_457, 3_333, 77_777, 1), resolvePrice(['gpt-5.1-codex-mini'])))).toBe(true);
  });

  it('prices cached input at the input price when no cache discount is listed', () => {
    expect(costMicroUsd(usage(100, 100, 0), { input: 2, output: 8 })).toBe(200);
  });

  it('lets the config override the table, and finds dated snapshots and upstream names', () => {
    expect(resolvePrice(['gpt-4o'], { input: 1, output: 2 })).toEqual({ input: 1, output: 2 });
    expect(resolvePrice(['gpt-4o-2024-11-20'])).toBe(BUILTIN_PRICES['gpt-4o']);
    expect(resolvePrice(['house-model', 'gpt-4.1-mini'])).toBe(BUILTIN_PRICES['gpt-4.1-mini']);
    expect(resolvePrice([null, undefined, 'text-embedding-3-small'])).toEqual({ input: 0.02, output: 0 });
  });

  it('says "unknown" (null), never 0, for an unknown model, an unpriced preview or missing usage', () => {
    expect(resolvePrice(['house-model'])).toBeNull();
    expect(resolvePrice(['gpt-5.3-codex-spark'])).toBeNull();
    expect(resolvePrice(['toString'])).toBeNull(); // no prototype lookups
    expect(costMicroUsd(usage(10, 0, 10), null)).toBeNull();
    expect(costMicroUsd(null, resolvePrice(['gpt-4o']))).toBeNull();
    expect(costMicroUsd(usage(0, 0, 0), resolvePrice(['gpt-4o']))).toBe(0);
  });

  it('covers the common OpenAI and Codex models', () => {
    for (const model of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o3', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'gpt-5-codex', 'gpt-5.1-codex', 'gpt-5.2-codex', 'gpt-5.3-codex', 'text-embedding-3-large']) {
      expect(resolvePrice([model]), model).not.toBeNull();
    }
  });
});
