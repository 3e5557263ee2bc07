// The gateway under load, from compiled JavaScript (dist/), as it runs in production: no tsx.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../dist/src/main.js';
import { createLogger } from '../dist/src/shared/logger.js';

const upstream = process.argv[2];
const dir = mkdtempSync(join(tmpdir(), 'codex-lb-bench-'));
const configPath = join(dir, 'gateway.yaml');
writeFileSync(
  configPath,
  `server: { host: 127.0.0.1, port: 0 }
routing: { strategy: round_robin }
accounts:
  - { id: bench-1, kind: openai, baseUrl: "${upstream}/v1", apiKey: bench-key-1 }
  - { id: bench-2, kind: openai, baseUrl: "${upstream}/v1", apiKey: bench-key-2 }
models:
  - { id: bench-model }
`,
);
let records = 0;
const gateway = await startGateway({
  configPath,
  watch: false,
  logger: createLogger({ level: 'warn' }),
  usageSink: { record: () => void records++ },
});
process.stdout.write(`LISTENING ${gateway.url}\n`);
process.on('SIGTERM', () => {
  process.stderr.write(`usage records: ${records}\n`);
  void gateway.close().then(() => process.exit(0));
});
