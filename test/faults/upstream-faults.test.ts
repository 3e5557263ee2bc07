import { afterEach, describe, expect, it } from 'vitest';
import type { Fault } from '../fakes/openai-upstream.js';
import { runPool } from '../helpers/load.js';
import { GatewayHarness } from '../proxy/gateway-harness.js';
import { CALL_SHAPES, callGateway, isErrorObject, tally } from './gateway-calls.js';

/**
 * Upstream faults under load: concurrent chat and responses requests (streamed and not) across
 * three accounts, with one account failing in a given way. Before the first byte the gateway
 * fails over, so the client never sees the fault; after it (a stream cut, stalled or ended
 * early) the client gets an SSE error event. The failing account is cooled down and the
 * healthy ones never are. No request hangs, breaks silently or gets an HTTP error.
 */
const REQUESTS = 90;
const CONCURRENCY = 12;

interface Scenario {
  name: string;
  fault: Fault;
  /** The fault comes after the answer started: streams that hit it end with an error event. */
  afterFirstByte: boolean;
  /** `routing.timeouts`, short where the fault is a silence (generous: the machine may be busy). */
  timeouts?: string;
}

const SHORT_TIMEOUTS = 'connect: 2s, idle: 2s';

const SCENARIOS: Scenario[] = [
  { name: '429 with Retry-After', fault: { kind: 'status', status: 429, headers: { 'retry-after': '30' } }, afterFirstByte: false },
  { name: '500', fault: { kind: 'status', status: 500 }, afterFirstByte: false },
  { name: 'connection reset before the headers', fault: { kind: 'reset-before-headers' }, afterFirstByte: false },
  { name: 'stall before the first event', fault: { kind: 'stall', afterChunks: 0 }, afterFirstByte: false, timeouts: SHORT_TIMEOUTS },
  { name: 'connection reset mid-stream', fault: { kind: 'reset-mid-stream', afterChunks: 2 }, afterFirstByte: true },
  { name: 'stall mid-stream', fault: { kind: 'stall', afterChunks: 2 }, afterFirstByte: true, timeouts: SHORT_TIMEOUTS },
  { name: 'stream truncated (clean end, no final event)', fault: { kind: 'truncate', afterChunks: 2 }, afterFirstByte: true },
];

let h: GatewayHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Account statuses as the admin API reports them (loopback, no admin tokens configured). */
async function accountStatuses(gatewayUrl: string): Promise<Map<string, string>> {
  const response = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ accounts { id status } }' }),
  });
  const body = (await response.json()) as { data: { accounts: Array<{ id: string; status: string }> } };
  return new Map(body.data.accounts.map((a) => [a.id, a.status]));
}

/** Polls the admin API while `work` runs and returns every status each account was seen in. */
async function watchStatuses<T>(gatewayUrl: string, work: Promise<T>): Promise<{ result: T; seen: Map<string, Set<string>> }> {
  const seen = new Map<string, Set<string>>();
  let done = false;
  const poll = (async () => {
    while (!done) {
      for (const [id, status] of await accountStatuses(gatewayUrl)) {
        if (!seen.has(id)) seen.set(id, new Set());
        seen.get(id)?.add(status);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  const result = await work.finally(() => (done = true));
  await poll;
  return { result, seen };
}

describe('upstream faults under load, one of three accounts failing', () => {
  it.each(SCENARIOS)('$name', async ({ fault, afterFirstByte, timeouts }) => {
    h = await GatewayHarness.start({
      accounts: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
      routing: `strategy: round_robin, sticky: { enabled: false }${timeouts ? `, timeouts: { ${timeouts} }` : ''}`,
    });
    const harness = h;
    harness.upstream('a').setFault(fault);
    const load = runPool(REQUESTS, CONCURRENCY, (i) => callGateway(harness.client, 'gpt-test', CALL_SHAPES[i % CALL_SHAPES.length]));
    const { result: outcomes, seen } = await watchStatuses(harness.gateway.url, load);
    const { ok, http_error: httpErrors, stream_error: streamErrors, broken } = tally(outcomes);

    // Never a hang, a silent cut or an HTTP error while healthy accounts exist.
    expect(broken).toEqual([]);
    expect(httpErrors).toEqual([]);
    if (afterFirstByte) {
      // Only streams can fail after their first byte (non-streamed answers are read whole first).
      expect(streamErrors.length).toBeGreaterThan(0);
      expect(streamErrors.every((o) => o.shape.endsWith('-stream'))).toBe(true);
      for (const outcome of streamErrors) expect(isErrorObject(outcome.error), JSON.stringify(outcome)).toBe(true);
      expect(streamErrors.length).toBeLessThanOrEqual(harness.postCount('a'));
    } else {
      expect(streamErrors).toEqual([]);
    }
    expect(ok.length + streamErrors.length).toBe(REQUESTS);
    // The failing account was tried, cooled down and so got far less than its share.
    expect(harness.postCount('a')).toBeGreaterThan(0);
    expect(harness.postCount('a')).toBeLessThan(REQUESTS / 3);
    expect(seen.get('a')).toContain('COOLING_DOWN');
    expect([...(seen.get('b') ?? [])]).toEqual(['AVAILABLE']);
    expect([...(seen.get('c') ?? [])]).toEqual(['AVAILABLE']);
    // Every request was answered by someone: the healthy accounts served the rest.
    expect(harness.postCount('b') + harness.postCount('c')).toBeGreaterThanOrEqual(ok.length - harness.postCount('a'));
    if (fault.kind === 'status' && fault.status === 429) {
      expect(await accountStatuses(harness.gateway.url)).toEqual(new Map([['a', 'COOLING_DOWN'], ['b', 'AVAILABLE'], ['c', 'AVAILABLE']]));
    }
  });
});
