import { describe, expect, it } from 'vitest';
import { startGateway } from '../../src/main.js';
import { captureLogs } from '../helpers/log-capture.js';
import { TempConfig } from '../helpers/temp-config.js';

const SECRET = 'sk-live-DO-NOT-LEAK-0123456789';
const DB_PASSWORD = 'hunter2-db-password';

const config = (extra = '') => `server: { host: 127.0.0.1, port: 0 }
storage: { url: "mysql://app:${DB_PASSWORD}@127.0.0.1:1/codex" }
accounts:
  - id: up
    kind: openai
    baseUrl: http://127.0.0.1:9/v1
    apiKey: \${UPSTREAM_KEY}
    headers: { X-Team-Token: "\${UPSTREAM_KEY}" }
models:
  - { id: m, accounts: [up] }
${extra}`;

describe('secrets', () => {
  it('never reach the logs, and are masked in the snapshot shown to people', async () => {
    const file = new TempConfig(config());
    const logs = captureLogs();
    const gateway = await startGateway({ configPath: file.path, logger: logs.logger, env: { UPSTREAM_KEY: SECRET } });
    try {
      // A rejected reload logs every issue; an applied one logs its summary.
      file.write(config('keys:\n  - { id: k, key: "${UPSTREAM_KEY}", policies: [nope] }\n'));
      expect((await gateway.reloader.reload('admin')).status).toBe('rejected');
      file.write(config('models2: 1\n').replace('models2: 1\n', '').replace('id: m,', 'id: m2,'));
      expect((await gateway.reloader.reload('admin')).status).toBe('applied');
      logs.logger.info({ apiKey: SECRET, headers: { authorization: `Bearer ${SECRET}` } }, 'explicit attempt to log a secret');

      const text = logs.text();
      expect(text).toContain('config applied');
      expect(text).toContain("unknown policy 'nope'");
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(DB_PASSWORD);

      const masked = gateway.holder.current().masked;
      const account = masked.accounts[0]!;
      expect(account.kind === 'openai' && account.apiKey).toBe('***');
      expect(account.kind === 'openai' && account.headers).toEqual({ 'X-Team-Token': '***' });
      expect(masked.storage.url).toBe('mysql://app:***@127.0.0.1:1/codex');
      expect(JSON.stringify(masked)).not.toContain(SECRET);
      // The real values stay available to the gateway itself.
      const real = gateway.holder.current().config.accounts[0]!;
      expect(real.kind === 'openai' && real.apiKey).toBe(SECRET);
    } finally {
      await gateway.close();
      file.remove();
    }
  });
});
