import { keyHash } from '../src/shared/hashing.js';
import { benchKey } from './bench-keys.js';

/**
 * The gateway.yaml files of `npm run bench`. The gateway runs as `codex-lb start` would, with
 * default features (SQLite usage store next to the file, the batching recorder, info logging),
 * plus API keys on and a rate-limit policy on the key the load uses: every request is
 * authenticated, admitted against a requests, tokens and cost budget and a concurrency slot,
 * charged at the end, and recorded.
 */
export const LOAD_KEY = benchKey(0);
export const BENCH_MODEL = 'bench-model';

const POLICY = `policies:
  - id: bench
    requests: { limit: 1000000000, per: 1m }
    tokens: { limit: 1000000000000, per: 1d }
    costUsd: { limit: 1000000, per: 1d }
    concurrency: 100000
`;

function head(upstream: string): string {
  return `server: { host: 127.0.0.1, port: 0 }
auth: { enabled: true }
models:
  - id: ${BENCH_MODEL}
    accounts: [bench-1, bench-2]
    pricing: { input: 1.75, cachedInput: 0.175, output: 14 }
  - { id: other-model }
accounts:
  - { id: bench-1, kind: openai, baseUrl: "${upstream}/v1", apiKey: bench-key-1 }
  - { id: bench-2, kind: openai, baseUrl: "${upstream}/v1", apiKey: bench-key-2 }
`;
}

/** Two accounts, one key (the load's), one policy. */
export function smallConfig(upstream: string): string {
  return `${head(upstream)}${POLICY}keys:
  - { id: key-0, keyHash: "${keyHash(LOAD_KEY)}", policies: [bench] }
`;
}

/**
 * The reload measurement's file: 1,000 accounts and 10,000 keys (the load's key among them, so
 * the load keeps being served). `variant` changes one key's name, so each variant is a real change.
 */
export function largeConfig(upstream: string, variant: number, hashes: readonly string[]): string {
  const accounts = Array.from({ length: 998 }, (_, i) => `  - { id: pool-${i + 3}, kind: openai, baseUrl: "${upstream}/v1", apiKey: pool-key-${i + 3}, models: [other-model] }`);
  const keys = hashes.map((hash, i) => `  - { id: key-${i}, name: "key ${i}${i === hashes.length - 1 ? ` v${variant}` : ''}", keyHash: "${hash}", policies: [bench] }`);
  return `${head(upstream)}${accounts.join('\n')}\n${POLICY}keys:\n${keys.join('\n')}\n`;
}

/** The hashes of the 10,000 keys, computed once. */
export function largeKeyHashes(count: number): string[] {
  return Array.from({ length: count }, (_, i) => keyHash(benchKey(i)));
}
