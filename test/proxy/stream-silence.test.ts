import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { StreamSilence } from '../../src/proxy/stream-silence.js';

// Real timers with generous margins: the assertions are about order and counts, not exact times.
describe('stream silences on one timer', () => {
  it('sends keep-alives through a long silence of the client, then cuts off a silent upstream', async () => {
    const events: string[] = [];
    const silence = new StreamSilence(400, 60, () => events.push('idle'), () => events.push('keep-alive'));
    for (let waited = 0; !events.includes('idle') && waited < 5_000; waited += 50) await sleep(50);
    await sleep(200); // anything that would (wrongly) come after the cut
    silence.stop();
    const idleAt = events.indexOf('idle');
    expect(idleAt).toBeGreaterThanOrEqual(1); // keep-alives every 60 ms before the cut at 400 ms
    expect(events.slice(0, idleAt).every((e) => e === 'keep-alive')).toBe(true);
    expect(events.filter((e) => e === 'idle')).toHaveLength(1); // and nothing after it
    expect(idleAt).toBe(events.length - 1);
  });

  it('chunks from upstream postpone the cut, writes to the client postpone the keep-alives', async () => {
    // Timestamps, not expectations of when timers run: a slow machine only makes things later.
    const started = performance.now();
    const chunks: number[] = [];
    const writes: number[] = [];
    const keepAlives: number[] = [];
    let idleAt = NaN;
    const silence = new StreamSilence(300, 100, () => (idleAt = performance.now()), () => keepAlives.push(performance.now()));
    for (let i = 0; i < 8; i++) {
      await sleep(40);
      chunks.push(performance.now());
      silence.chunk();
      if (i % 2 === 0) {
        writes.push(performance.now());
        silence.wrote();
      }
    }
    for (let waited = 0; Number.isNaN(idleAt) && waited < 5_000; waited += 50) await sleep(50);
    silence.stop();
    // The cut came after chunks had arrived (they postponed it), a full 300 ms after the last one.
    expect(idleAt).toBeGreaterThan(chunks[0]);
    const lastChunkBefore = Math.max(...chunks.filter((t) => t < idleAt));
    expect(idleAt - lastChunkBefore).toBeGreaterThanOrEqual(299);
    for (const at of keepAlives) {
      const lastSent = Math.max(started, ...writes.filter((t) => t < at), ...keepAlives.filter((t) => t < at));
      expect(at - lastSent).toBeGreaterThanOrEqual(99);
    }
  });

  it('stop() ends it: nothing fires afterwards', async () => {
    const events: string[] = [];
    const silence = new StreamSilence(30, 20, () => events.push('idle'), () => events.push('keep-alive'));
    silence.stop();
    await sleep(100);
    expect(events).toEqual([]);
  });
});
