import { afterEach, describe, expect, it } from 'vitest';
import { GatewayHarness } from '../proxy/gateway-harness.js';

/** What in-flight requests see when the config changes or the gateway stops under them. */
describe('in-flight requests', () => {
  let harness: GatewayHarness;
  afterEach(async () => harness?.close());

  it('finish on the snapshot they started with when a reload removes their model and account', async () => {
    harness = await GatewayHarness.start({ accounts: [{ id: 'a', chunkDelayMs: 60 }] });
    const stream = await harness.client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);

    // The new config has neither the model nor the account the stream is using.
    harness.config.write(harness.config.read().replace(/models:\n[\s\S]*$/, 'models:\n  - { id: other, accounts: [a] }\n'));
    expect((await harness.gateway.reloader.reload('admin')).status).toBe('applied');
    await expect(harness.client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 404 });

    let text = first.value?.choices[0]?.delta.content ?? '';
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) text += next.value.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello from a');
  });

  it('finish within the grace period on shutdown while new requests are not served', async () => {
    harness = await GatewayHarness.start({ accounts: [{ id: 'a', chunkDelayMs: 80 }] });
    const stream = await harness.client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const closing = harness.gateway.close();
    // The listener closes at once, so a new connection is refused; a request that races onto a
    // pooled keep-alive socket before the server closes it gets 503 from the draining guard, or a
    // reset when the idle-socket sweep closes that socket as the request is being written (the
    // keep-alive race every HTTP server has; clients retry it). Never an answer from upstream.
    const refused = await fetch(`${harness.baseUrl}/models`).then((r) => `status ${r.status}`, (e: Error) => (e.cause as NodeJS.ErrnoException | undefined)?.code);
    expect(['status 503', 'ECONNREFUSED', 'ECONNRESET']).toContain(refused);
    let chunks = 1;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) chunks += 1;
    expect(chunks).toBeGreaterThan(3);
    await closing;
  });
});
