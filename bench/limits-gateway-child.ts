// A gateway for `npm run bench:limits`, the built one (dist/, like `npm run bench`): `open` is
// the proxy bench's setup (auth off, no keys, no policies); `keys` has auth on, 10,000 keys and a
// policy on every key.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { keyHash } from '../src/shared/hashing.js';
import { createLogger } from '../src/shared/logger.js';
import { BENCH_KEYS, benchKey } from './bench-keys.js';
import { ROOT } from './cli-options.js';

type Main = typeof import('../src/main.js');
const { startGateway } = (await import(pathToFileURL(join(ROOT, 'dist/src/main.js')).href)) as Main;

const [upstream, mode] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'codex-lb-bench-limits-'));
const configPath = join(dir, 'gateway.yaml');
const keys =
  mode === 'keys'
    ? `auth: { enabled: true }
policies:
  - id: team
    requests: { limit: 1000000000, per: 1m }
    tokens: { limit: 1000000000000, per: 1d }
    costUsd: { limit: 1000000, per: 1d }
    concurrency: 10000
keys:
${Array.from({ length: BENCH_KEYS }, (_, i) => `  - { id: key-${i}, keyHash: "${keyHash(benchKey(i))}", policies: [team] }`).join('\n')}
`
    : '';
writeFileSync(
  configPath,
  `server: { host: 127.0.0.1, port: 0 }
routing: { strategy: round_robin }
accounts:
  - { id: bench-1, kind: openai, baseUrl: "${upstream}/v1", apiKey: bench-key-1 }
  - { id: bench-2, kind: openai, baseUrl: "${upstream}/v1", apiKey: bench-key-2 }
models:
  - { id: bench-model }
${keys}`,
);
const gateway = await startGateway({
  configPath,
  watch: false,
  logger: createLogger({ level: 'warn' }),
  usageSink: { record: () => undefined },
  // A price, so the cost budget is charged like the token budget.
  costOf: (_model, usage) => usage.inputTokens * 2 + usage.outputTokens * 8,
});
process.stdout.write(`LISTENING ${gateway.url}\n`);
process.on('SIGTERM', () => void gateway.close().then(() => process.exit(0)));
