import { afterEach, describe, expect, it } from 'vitest';
import { StartupError, startGateway } from '../../src/main.js';
import { captureLogs } from '../helpers/log-capture.js';
import { configWithModels, TempConfig } from '../helpers/temp-config.js';

describe('startup', () => {
  const configs: TempConfig[] = [];
  afterEach(() => configs.splice(0).forEach((c) => c.remove()));
  const temp = (text: string) => {
    const c = new TempConfig(text);
    configs.push(c);
    return c;
  };

  it('refuses an invalid file with every issue', async () => {
    const config = temp(`${configWithModels(['a'])}keys:\n  - { id: k, keyHash: nope, policies: [missing] }\n`);
    const error = await startGateway({ configPath: config.path, logger: captureLogs().logger, env: {}, watch: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    const issues = (error as StartupError).issues.map((i) => `${i.line}:${i.path}`);
    expect(issues).toEqual(['8:keys[0].keyHash', '8:keys[0].policies[0]']);
  });

  it('refuses a non-loopback host while auth is disabled, saying how to enable keys', async () => {
    const config = temp(configWithModels(['a']).replace('host: 127.0.0.1', 'host: 0.0.0.0'));
    const error = await startGateway({ configPath: config.path, logger: captureLogs().logger, env: {}, watch: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(/auth\.enabled: false.*codex-lb keys new.*auth: \{ enabled: true \}/s);
  });

  it('starts with accounts whose credentials are missing, and says why they are unavailable', async () => {
    const config = temp(`server: { host: 127.0.0.1, port: 0 }
accounts:
  - { id: seat, kind: chatgpt, authFile: /nonexistent/auth.json }
  - { id: key, kind: openai, apiKey: "\${OPENAI_API_KEY:-}" }
models:
  - { id: m }
`);
    const logs = captureLogs();
    const gateway = await startGateway({ configPath: config.path, logger: logs.logger, env: {}, watch: false });
    try {
      const res = await fetch(`${gateway.url}/health`);
      expect(res.status).toBe(200);
      const reasons = logs.lines.filter((l) => l.level === 40).map((l) => l.msg);
      expect(reasons).toEqual([
        "account 'seat' is unavailable: auth file /nonexistent/auth.json not found (sign in with the Codex CLI: codex login)",
        "account 'key' is unavailable: no API key (apiKey is empty)",
      ]);
    } finally {
      await gateway.close();
    }
  });

  it('close() stops listening', async () => {
    const config = temp(configWithModels(['a']));
    const gateway = await startGateway({ configPath: config.path, logger: captureLogs().logger, env: {}, watch: false });
    const closing = gateway.close();
    await closing;
    await expect(fetch(`${gateway.url}/health`)).rejects.toThrow();
  });
});
