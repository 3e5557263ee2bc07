import type { TokenUsage } from './usage-record.js';

/**
 * Token prices and the cost of one request, as integer micro-USD. Pure functions, no I/O.
 *
 * Prices are USD per 1M tokens, which is conveniently the same number as micro-USD per token:
 * `tokens × pricePerMillion` is already micro-dollars, so no float scaling happens before the
 * single rounding at the end.
 *
 * Token semantics follow OpenAI's usage objects:
 * - `inputTokens` INCLUDES `cachedInputTokens` (prompt_tokens ⊇ prompt_tokens_details.cached_tokens),
 *   so uncached input is `inputTokens − cachedInputTokens`.
 * - `outputTokens` INCLUDES `reasoningTokens` (completion_tokens ⊇ reasoning_tokens). Reasoning is
 *   billed at the output price, and since it is already inside `outputTokens` it is NOT added
 *   again. Only an upstream that reports reasoning separately from output (pass
 *   `reasoningIncludedInOutput: false`) gets the reasoning tokens added at the output price.
 */
export interface ModelPrice {
  /** USD per 1M (uncached) input tokens. */
  input: number;
  /** USD per 1M cached input tokens; defaults to `input` when a provider has no cache discount. */
  cachedInput?: number;
  /** USD per 1M output tokens (reasoning included). */
  output: number;
}

/**
 * Built-in list prices (standard tier). `null` marks a model that is known but has no public
 * per-token price (e.g. research previews served only to ChatGPT seats): its cost stays unknown
 * until gateway.yaml gives it `pricing:`, rather than being guessed.
 */
export const BUILTIN_PRICES: Readonly<Record<string, ModelPrice | null>> = {
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  o1: { input: 15, cachedInput: 7.5, output: 60 },
  'o3-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
  o3: { input: 2, cachedInput: 0.5, output: 8 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
  'codex-mini-latest': { input: 1.5, cachedInput: 0.375, output: 6 },
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  'gpt-5-codex': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5.1': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5.1-codex': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5.1-codex-max': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5.1-codex-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5.2': { input: 1.75, cachedInput: 0.175, output: 14 },
  'gpt-5.2-codex': { input: 1.75, cachedInput: 0.175, output: 14 },
  'gpt-5.3-codex': { input: 1.75, cachedInput: 0.175, output: 14 },
  'gpt-5.3-codex-spark': null,
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
};

/** `gpt-4o-2024-11-20` → `gpt-4o`: dated snapshots are priced like their family. */
const DATED_SNAPSHOT_RE = /-\d{4}-\d{2}-\d{2}$/;

/**
 * The price for a request: the config override wins, then the built-in table for each name in
 * order (pass the upstream model first, then the configured id, so `upstreamModel:
 * gpt-4o-2024-11-20` behind an id like `house-model` still finds a price). Null = unknown.
 */
export function resolvePrice(
  modelNames: readonly (string | null | undefined)[],
  override?: ModelPrice | null,
  table: Readonly<Record<string, ModelPrice | null>> = BUILTIN_PRICES,
): ModelPrice | null {
  if (override) return override;
  for (const name of modelNames) {
    if (!name) continue;
    const price = lookup(table, name) ?? lookup(table, name.replace(DATED_SNAPSHOT_RE, ''));
    if (price !== undefined) return price;
  }
  return null;
}

function lookup(table: Readonly<Record<string, ModelPrice | null>>, name: string): ModelPrice | null | undefined {
  return Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}

export interface CostOptions {
  /**
   * True (the OpenAI convention, the default) when `outputTokens` already counts the reasoning
   * tokens; false when the upstream reported them separately and they must be billed on top.
   */
  reasoningIncludedInOutput?: boolean;
}

/** Integer micro-USD for the usage, or null when the usage or the price is unknown (never 0 for "don't know"). */
export function costMicroUsd(
  usage: TokenUsage | null,
  price: ModelPrice | null,
  options: CostOptions = {},
): number | null {
  if (!usage || !price) return null;
  const cached = clampCount(usage.cachedInputTokens);
  const uncached = Math.max(0, clampCount(usage.inputTokens) - cached);
  const reasoningExtra = options.reasoningIncludedInOutput === false ? clampCount(usage.reasoningTokens) : 0;
  const output = clampCount(usage.outputTokens) + reasoningExtra;
  const micro = uncached * price.input + cached * (price.cachedInput ?? price.input) + output * price.output;
  return Math.round(micro);
}

/** Micro-USD → USD for display (the store and the budgets keep integers). */
export function microUsdToUsd(micro: number): number {
  return micro / 1_000_000;
}

function clampCount(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** What pricing needs of a configured model (the runtime's ModelSpec has these fields). */
export interface PricedModel {
  id: string;
  upstreamModel: string | null;
  config: { pricing?: ModelPrice | null };
}

/** The model's `pricing:` override, else the built-in table (by upstream model, then id); null = unknown. */
export function modelCostMicroUsd(model: PricedModel, usage: TokenUsage | null): number | null {
  return costMicroUsd(usage, resolvePrice([model.upstreamModel, model.id], model.config.pricing ?? null));
}
