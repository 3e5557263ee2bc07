import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/config/interpolate.js';
import { formatIssue } from '../../src/config/issues.js';
import { loadConfigText, maskedConfig } from '../../src/config/load.js';

/** One openai account and one model, so a snippet under test loads without unrelated warnings. */
const BASE = 'accounts: [{ id: a, kind: openai, apiKey: sk-literal }]\nmodels: [{ id: m }]\n';

function load(yaml: string, env: NodeJS.ProcessEnv) {
  return loadConfigText(`${BASE}${yaml}`, 'gateway.yaml', env);
}

function lines(yaml: string, env: NodeJS.ProcessEnv): string[] {
  return load(yaml, env).issues.map(formatIssue);
}

describe('interpolate()', () => {
  it('replaces ${VAR} with its value and marks the result as substituted', () => {
    expect(interpolate('Bearer ${TOKEN}', { TOKEN: 't0k' })).toEqual({ value: 'Bearer t0k', substituted: true, errors: [] });
  });

  it('replaces several references in one value', () => {
    expect(interpolate('${A}:${B}', { A: '1', B: '2' }).value).toBe('1:2');
  });

  it('uses the default of ${VAR:-default} when the variable is unset', () => {
    expect(interpolate('${HOST:-127.0.0.1}', {})).toEqual({ value: '127.0.0.1', substituted: true, errors: [] });
  });

  it('uses the default when the variable is set but empty', () => {
    expect(interpolate('${HOST:-127.0.0.1}', { HOST: '' }).value).toBe('127.0.0.1');
  });

  it('uses the value when the variable is set and not empty', () => {
    expect(interpolate('${HOST:-127.0.0.1}', { HOST: '0.0.0.0' }).value).toBe('0.0.0.0');
  });

  it('accepts an empty default, and a default containing colons and slashes', () => {
    expect(interpolate('${KEY:-}', {}).value).toBe('');
    expect(interpolate('${URL:-https://api.openai.com/v1}', {}).value).toBe('https://api.openai.com/v1');
  });

  it('substitutes an empty ${VAR} as empty: only a missing variable is an error', () => {
    expect(interpolate('${EMPTY}', { EMPTY: '' })).toEqual({ value: '', substituted: true, errors: [] });
  });

  it('reads $${ as a literal ${ and substitutes nothing', () => {
    expect(interpolate('$${NOT_A_VAR} and $${', {})).toEqual({ value: '${NOT_A_VAR} and ${', substituted: false, errors: [] });
  });

  it('leaves a lone $ and $$ alone', () => {
    expect(interpolate('pa$$word $5', {}).value).toBe('pa$$word $5');
  });

  it('does not interpolate again inside a substituted value', () => {
    expect(interpolate('${A}', { A: '${B}', B: 'no' }).value).toBe('${B}');
  });

  it('names a missing variable and how to give it a default', () => {
    expect(interpolate('${MISSING}', {}).errors).toEqual(['environment variable MISSING is not set (set it, or write ${MISSING:-default})']);
  });

  it('reports an unterminated reference and how to write a literal', () => {
    expect(interpolate('abc ${OPEN', {}).errors).toEqual(["unterminated '${' (write '$${' for a literal)"]);
  });

  it.each(['${1BAD}', '${}', '${A-B}', '${A B}', '${:-x}'])('rejects the invalid reference %s', (text) => {
    const result = interpolate(text, { A: 'a', B: 'b' });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^invalid variable reference '.*' \(use \$\{NAME\} or \$\{NAME:-default\}\)$/);
  });
});

describe('interpolation in gateway.yaml', () => {
  it('turns a plain `port: ${PORT}` into a number, as a literal 3000 would be', () => {
    const loaded = load('server:\n  port: ${PORT}\n', { PORT: '3000' });
    expect(loaded.issues).toEqual([]);
    expect(loaded.config?.server.port).toBe(3000);
  });

  it('turns a plain reference whose default is used into a number or boolean too', () => {
    const loaded = load('server:\n  port: ${PORT:-2455}\nauth:\n  enabled: ${AUTH:-false}\n', {});
    expect(loaded.config?.server.port).toBe(2455);
    expect(loaded.config?.auth.enabled).toBe(false);
  });

  it('turns a plain boolean reference into a boolean', () => {
    const loaded = load('auth:\n  enabled: ${AUTH}\nkeys: [{ id: k, key: "sk-clb-0123456789abcdef" }]\n', { AUTH: 'true' });
    expect(loaded.config?.auth.enabled).toBe(true);
  });

  it('keeps a quoted reference a string, and says the quotes are the problem', () => {
    expect(lines('server:\n  port: "${PORT}"\n', { PORT: '3000' })).toEqual([
      'gateway.yaml:4:9 server.port: must be a number, not a string (write it without quotes)',
    ]);
  });

  it('keeps a reference embedded in text a string', () => {
    const loaded = load('storage:\n  url: sqlite:${DIR}/codex.sqlite\n', { DIR: '/var/lib' });
    expect(loaded.config?.storage.url).toBe('sqlite:/var/lib/codex.sqlite');
  });

  it('reports a missing variable with its name, line and column, once', () => {
    // Its type error ("must be a number") would only repeat the same problem, so it is left out.
    expect(lines('server:\n  host: 127.0.0.1\n  port: ${PORT}\n', {})).toEqual([
      'gateway.yaml:5:9 server.port: environment variable PORT is not set (set it, or write ${PORT:-default})',
    ]);
  });

  it('does not interpolate comments or map keys', () => {
    const loaded = load('# ${NOT_SET_ANYWHERE} in a comment\nserver: { port: 2455 } # ${ALSO_NOT_SET}\n', {});
    expect(loaded.issues).toEqual([]);
    expect(lines('${KEY}: 1\n', { KEY: 'server' })).toEqual(["gateway.yaml:3:1 [\"${KEY}\"]: unknown key '${KEY}'"]);
  });

  describe('a variable holding YAML syntax cannot inject structure', () => {
    const injection = 'sk-x\n    policies: [p]\nauth: { enabled: false }';

    it('stays one string value where a string is expected', () => {
      const loaded = loadConfigText('accounts:\n  - id: a\n    kind: openai\n    apiKey: ${KEY}\nmodels: [{ id: m }]\n', 'gateway.yaml', { KEY: injection });
      expect(loaded.issues).toEqual([]);
      const account = loaded.config?.accounts[0];
      expect(account?.kind === 'openai' && account.apiKey).toBe(injection);
      expect(account?.policies).toEqual([]);
    });

    it('is not read as a number, list or map where one is expected', () => {
      expect(lines('server:\n  port: ${PORT}\n', { PORT: '2455\nhost: 0.0.0.0' })).toEqual([
        'gateway.yaml:4:9 server.port: must be a number, not a string',
      ]);
      expect(lines('keys: ${KEYS}\n', { KEYS: '[{ id: k, keyHash: x }]' })).toEqual(['gateway.yaml:3:7 keys: must be a list, not a string']);
      expect(lines('routing:\n  sticky: ${STICKY}\n', { STICKY: '{ ttl: 1d }' })).toEqual([
        'gateway.yaml:4:11 routing.sticky: must be a map, not a string',
      ]);
    });

    it('does not resolve aliases or tags inside the value', () => {
      const loaded = load('server:\n  host: ${HOST}\n', { HOST: '!!binary *anchor' });
      expect(loaded.config?.server.host).toBe('!!binary *anchor');
    });
  });

  describe('masking', () => {
    const env = { UPSTREAM: 'sk-upstream-CANARY', DB_PASSWORD: 'db-CANARY', HOST: '10.0.0.7', ADMIN: 'admin-CANARY' };
    const yaml = [
      'server:\n  host: ${HOST}',
      'admin:\n  tokens: ["${ADMIN}"]',
      'storage:\n  url: "mysql://codex:${DB_PASSWORD}@db:3306/codex"',
      'limits:\n  store: redis://:literal-pass@cache:6379',
      'accounts:\n  - { id: a, kind: openai, apiKey: "${UPSTREAM}", baseUrl: "${BASE_URL:-https://api.openai.com/v1}" }',
      '  - { id: c, kind: chatgpt, tokens: { access: literal-access, refresh: literal-refresh } }',
      'models: [{ id: m }]',
      'keys: [{ id: k, key: literal-client-key-0123456789 }]',
    ].join('\n');

    it('masks every interpolated value and every credential, and nothing else', () => {
      const loaded = loadConfigText(yaml, 'gateway.yaml', env);
      expect(loaded.issues).toEqual([]);
      const masked = maskedConfig(loaded);
      expect(masked?.server.host).toBe('***');
      expect(masked?.admin.tokens).toEqual(['***']);
      expect(masked?.storage.url).toBe('***');
      expect(masked?.limits.store).toBe('redis://:***@cache:6379');
      expect(masked?.accounts[0]).toMatchObject({ id: 'a', apiKey: '***', baseUrl: '***' });
      expect(masked?.accounts[1]).toMatchObject({ id: 'c', tokens: { access: '***', refresh: '***' } });
      expect(masked?.keys[0]).toMatchObject({ id: 'k', key: '***' });
      const text = JSON.stringify(masked);
      for (const secret of [...Object.values(env), 'literal-pass', 'literal-access', 'literal-refresh', 'literal-client-key']) {
        expect(text).not.toContain(secret);
      }
      // The unmasked config is what the gateway uses.
      expect(loaded.config?.server.host).toBe('10.0.0.7');
    });

    it('never quotes an interpolated id back in a message', () => {
      const messages = lines('policies: [{ id: "${POLICY}", concurrency: 1 }]\nkeys: [{ id: k2, keyHash: "sha256:0000000000000000000000000000000000000000000000000000000000000000", policies: ["${POLICY}x"] }]\n', {
        POLICY: 'team-CANARY',
      }).join('\n');
      expect(messages).toContain("unknown policy '***'");
      expect(messages).toContain("policy '***' is not used");
      expect(messages).not.toContain('CANARY');
    });
  });
});
