import { Agent, request } from 'node:http';
import OpenAI, { AuthenticationError, NotFoundError, PermissionDeniedError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyHash } from '../../src/shared/hashing.js';
import { chat, LimitsHarness } from './limits-harness.js';

const DEV = 'sk-clb-devkeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAyz';
const CI = 'sk-clb-cikeyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBqq';
const OFF = 'sk-clb-offkeyCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCzz';
const OLD = 'sk-clb-oldkeyDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDww';
const UNKNOWN = 'sk-clb-nobodyEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEvv';

const keys = (extra = '') => `models:
  - { id: gpt-4o, aliases: [four-o] }
  - { id: gpt-4o-mini }
auth: { enabled: true }
keys:
  - { id: dev, key: "\${DEV_KEY}" }
  - { id: ci, keyHash: "${keyHash(CI)}", models: [four-o] }
  - { id: off, key: "${OFF}", enabled: false }
  - { id: old, key: "${OLD}", expiresAt: "2020-01-01" }
${extra}`;

async function failure<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

describe('API keys (auth.enabled: true)', () => {
  let h: LimitsHarness;
  beforeAll(async () => {
    h = await LimitsHarness.start({ yaml: keys(), env: { DEV_KEY: DEV } });
  });
  afterAll(() => h.close());

  it('accepts a configured key as a Bearer token (key: ${ENV}) and attributes the usage to it', async () => {
    const completion = await h.client(DEV).chat.completions.create(chat());
    expect(completion.choices[0].message.content).toBe('Hello from up');
    expect(h.sink.records.at(-1)?.keyId).toBe('dev');
  });

  it('accepts the key in x-api-key, and a keyHash: entry', async () => {
    const res = await fetch(`${h.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': CI }, body: JSON.stringify(chat()) });
    expect(res.status).toBe(200);
    expect(h.sink.records.at(-1)?.keyId).toBe('ci');
  });

  it('401 invalid_api_key without a key, saying how to send one', async () => {
    const res = await fetch(`${h.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chat()) });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { message: "You didn't provide an API key. Send it as 'Authorization: Bearer <key>' or in the 'x-api-key' header.", type: 'authentication_error', code: 'invalid_api_key', param: null },
    });
  });

  it('401 for an unknown key, masked, never echoed', async () => {
    const error = await failure(h.client(UNKNOWN).chat.completions.create(chat()), AuthenticationError);
    expect(error.status).toBe(401);
    expect(error.code).toBe('invalid_api_key');
    expect(error.message).toContain('Incorrect API key provided: sk-clb-no***vv. It is not one of the keys configured on this gateway.');
    expect(error.message).not.toContain(UNKNOWN);
    expect(error.message).not.toContain(UNKNOWN.slice(9, -2));
  });

  it('401 for a disabled key and for an expired key, saying which', async () => {
    const disabled = await failure(h.client(OFF).chat.completions.create(chat()), AuthenticationError);
    expect(disabled.message).toContain("The API key sk-clb-of***zz (key 'off') is disabled.");
    const expired = await failure(h.client(OLD).chat.completions.create(chat()), AuthenticationError);
    expect(expired.message).toContain("The API key sk-clb-ol***ww (key 'old') expired at 2020-01-01T00:00:00.000Z.");
    // /v1/models is behind the same check.
    await failure(h.client(OLD).models.list(), AuthenticationError);
  });

  it("403 model_not_allowed outside the key's models (aliases resolved), 404 for unknown models", async () => {
    expect((await h.client(CI).chat.completions.create(chat('gpt-4o'))).model).toBeDefined();
    expect((await h.client(CI).chat.completions.create(chat('four-o'))).model).toBeDefined();
    const denied = await failure(h.client(CI).chat.completions.create(chat('gpt-4o-mini')), PermissionDeniedError);
    expect(denied.status).toBe(403);
    expect(denied.code).toBe('model_not_allowed');
    expect(denied.message).toContain("The API key 'ci' is not allowed to use the model 'gpt-4o-mini'. Allowed: gpt-4o.");
    const unknown = await failure(h.client(CI).chat.completions.create(chat('nope')), NotFoundError);
    expect(unknown.code).toBe('model_not_found');
  });

  it('/v1/models shows a key only its models', async () => {
    const listed = async (client: OpenAI) => (await client.models.list()).data.map((m) => m.id).sort();
    expect(await listed(h.client(DEV))).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(await listed(h.client(CI))).toEqual(['gpt-4o']);
    expect((await h.client(CI).models.retrieve('gpt-4o')).id).toBe('gpt-4o');
    await failure(h.client(CI).models.retrieve('gpt-4o-mini'), NotFoundError);
  });

  it('judges every request of one keep-alive connection by its own key (the key hash cache)', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (key: string) =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const url = new URL(`${h.baseUrl}/chat/completions`);
        const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end(JSON.stringify(chat()));
      });
    try {
      const seen: Array<[number, string | undefined]> = [];
      for (const key of [DEV, UNKNOWN, CI, DEV, OFF, DEV]) {
        const { status } = await send(key);
        seen.push([status, status === 200 ? h.sink.records.at(-1)?.keyId : undefined]);
      }
      expect(seen).toEqual([[200, 'dev'], [401, undefined], [200, 'ci'], [200, 'dev'], [401, undefined], [200, 'dev']]);
      expect((await send(DEV)).reused).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('a key removed from gateway.yaml is refused at once after the reload; an added one works', async () => {
    const added = 'sk-clb-addedFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFaa';
    await h.rewrite(keys(`  - { id: added, key: "${added}" }\n`).replace(/ {2}- \{ id: dev, key: "\$\{DEV_KEY\}" \}\n/, ''));
    await failure(h.client(DEV).chat.completions.create(chat()), AuthenticationError);
    expect((await h.client(added).chat.completions.create(chat())).choices).toHaveLength(1);
    expect(h.sink.records.at(-1)?.keyId).toBe('added');
  });
});
