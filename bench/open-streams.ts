import { Agent, request, type IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Shape } from './load.js';
import type { BenchProcess } from './processes.js';

export interface OpenStreamsResult {
  readonly streams: number;
  /** Streams that had their first event when the RSS was read. */
  readonly open: number;
  /** The proxy's RSS with every stream open, bytes (the highest of a few reads). */
  readonly rss: number;
  /** Its RSS before the streams opened, bytes. */
  readonly rssBefore: number;
  /** Streams that ended with `data: [DONE]` once released. */
  readonly completed: number;
  readonly failed: number;
  readonly openMs: number;
}

/**
 * `count` concurrent streams through `proxy`, held open by the upstream (`x-bench-hold`) after
 * their first event, then released. Opened in waves, so the measurement is of open streams, not
 * of a connection storm against listen backlogs.
 */
export async function openStreams(proxy: BenchProcess, upstreamUrl: string, shape: Shape, count: number): Promise<OpenStreamsResult> {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const rssBefore = proxy.memory().rss;
  const started = performance.now();
  let open = 0;
  const ends: Array<Promise<boolean>> = [];
  const held = { ...shape, headers: { ...shape.headers, 'x-bench-hold': '1' } };
  const WAVE = 100;
  for (let i = 0; i < count; i += WAVE) {
    const firsts: Array<Promise<void>> = [];
    for (let k = i; k < Math.min(count, i + WAVE); k++) {
      const stream = holdOne(agent, proxy.url, held);
      firsts.push(stream.first.then(() => void open++, () => undefined));
      ends.push(stream.done);
    }
    await Promise.all(firsts);
  }
  const openMs = performance.now() - started;
  await waitFor(async () => (await upstreamHeld(upstreamUrl)) >= open, 30_000);
  let rss = 0;
  for (let i = 0; i < 5; i++) {
    rss = Math.max(rss, proxy.memory().rss);
    await sleep(200);
  }
  await fetch(`${upstreamUrl}/bench/release`, { method: 'POST' });
  const outcomes = await Promise.all(ends);
  agent.destroy();
  const completed = outcomes.filter(Boolean).length;
  return { streams: count, open, rss, rssBefore, completed, failed: count - completed, openMs };
}

function holdOne(agent: Agent, url: string, shape: Shape): { first: Promise<void>; done: Promise<boolean> } {
  let onFirst: () => void = () => {};
  let onFirstFailed: (error: Error) => void = () => {};
  const first = new Promise<void>((resolve, reject) => {
    onFirst = resolve;
    onFirstFailed = reject;
  });
  const done = new Promise<boolean>((resolve) => {
    const target = new URL(shape.path, url);
    const req = request(
      { hostname: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', ...shape.headers } },
      (res: IncomingMessage) => {
        let tail = '';
        res.setEncoding('utf8');
        res.once('data', () => onFirst());
        res.on('data', (text: string) => (tail = (tail + text).slice(-64)));
        res.on('end', () => resolve(res.statusCode === 200 && tail.includes('data: [DONE]')));
        res.on('error', () => resolve(false));
      },
    );
    req.on('error', (error) => {
      onFirstFailed(error);
      resolve(false);
    });
    req.end(shape.body);
  });
  return { first, done };
}

async function upstreamHeld(upstreamUrl: string): Promise<number> {
  return Number(await (await fetch(`${upstreamUrl}/bench/held`)).text());
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error('timed out waiting for the held streams to reach the upstream');
    await sleep(50);
  }
}
