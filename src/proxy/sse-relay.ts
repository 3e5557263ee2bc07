import type { Response } from 'express';
import { clientResponseHeaders } from '../providers/forwarded-headers.js';
import type { StreamTap } from '../providers/sse-stream-tap.js';
import { GatewayError } from '../shared/errors.js';
import { withGatewayHeaders } from './request-context.js';
import { StreamSilence } from './stream-silence.js';
import type { Served } from './upstream-attempts.js';
import type { UsageTracker } from './usage-tracker.js';

export type SseEnd = 'completed' | 'client_gone' | 'idle_timeout' | 'upstream_error' | 'truncated';

export interface SseRelayInput {
  readonly res: Response;
  readonly served: Served;
  readonly sse: NonNullable<Served['sse']>;
  readonly tap: StreamTap;
  readonly tracker: UsageTracker;
  readonly idleTimeoutMs: number;
  readonly keepAliveMs: number;
  readonly isClientGone: () => boolean;
}

const KEEP_ALIVE = ': keep-alive\n\n';

/**
 * Relays an upstream SSE answer as it arrives: each chunk is written as soon as it is read (no
 * buffering beyond an incomplete event), keep-alive comments fill silences so proxies and clients
 * do not time out, an upstream silent for `idleTimeoutMs` is cut off with an SSE error event,
 * a stream the upstream closed before its final event ends with one too (instead of looking
 * complete), and the client's pace is respected (a full socket pauses reading from upstream).
 */
export async function relaySse(input: SseRelayInput): Promise<SseEnd> {
  const { res, served, sse, tap, tracker } = input;
  const headers = withGatewayHeaders(res, clientResponseHeaders(served.headers));
  headers['cache-control'] = 'no-cache';
  headers['x-accel-buffering'] = 'no';
  res.writeHead(served.status, headers);
  // The head goes out with the first events (one write, one packet); alone only when the first
  // chunk held no complete event yet, so the client still sees the answer start at once.
  const first = sse.first === null ? null : tap.push(sse.first);
  if (first === null || first.length === 0) res.flushHeaders();
  // Whatever else is already there in this turn of the event loop (more chunks, the upstream's
  // end: a short answer often comes whole) leaves in the same write; later chunks go at once.
  else {
    res.cork();
    setImmediate(() => res.uncork());
  }

  let idle = false;
  const silence = new StreamSilence(
    input.idleTimeoutMs,
    input.keepAliveMs,
    () => {
      idle = true;
      sse.controller.abort();
    },
    () => {
      if (!res.writableEnded) res.write(KEEP_ALIVE);
    },
  );

  const send = async (out: Buffer | string | null): Promise<void> => {
    if (out === null || out.length === 0) return;
    tracker.markFirstByte();
    silence.wrote();
    if (!res.write(out)) await drained(res);
  };

  try {
    await send(first);
    for (;;) {
      const next = await sse.rest.next();
      if (next.done === true) break;
      silence.chunk();
      await send(tap.push(next.value));
    }
    const rest = tap.end();
    tracker.usage = tap.usage;
    if (!tap.complete) {
      // What is still held is the cut-off tail of an event: leave it out, say why instead.
      const error = new GatewayError(502, 'upstream_error', 'stream_incomplete', 'The upstream stream ended before the response completed.');
      tracker.errorCode = error.code;
      res.end(sseErrorEvent(error));
      return 'truncated';
    }
    if (rest !== null && rest.length > 0) tracker.markFirstByte();
    res.end(rest ?? undefined);
    tracker.errorCode = tap.errorCode;
    return 'completed';
  } catch {
    tracker.usage = tap.usage;
    if (input.isClientGone() || res.destroyed) return 'client_gone';
    const error = idle
      ? new GatewayError(504, 'upstream_error', 'upstream_timeout', `The upstream sent nothing for ${Math.round(input.idleTimeoutMs / 1000)}s; the stream was ended.`)
      : new GatewayError(502, 'upstream_error', 'upstream_error', 'The upstream connection failed mid-stream.');
    tracker.errorCode = error.code;
    if (!res.writableEnded) res.end(sseErrorEvent(error));
    return idle ? 'idle_timeout' : 'upstream_error';
  } finally {
    silence.stop();
  }
}

/**
 * An error inside a stream, readable by the OpenAI SDKs (they throw on any event whose data has
 * `error`) and shaped like the Responses API's own `error` event.
 */
export function sseErrorEvent(error: GatewayError): string {
  const { message, type, code, param } = error.toEnvelope().error;
  return `event: error\ndata: ${JSON.stringify({ type: 'error', code, message, param, error: { message, type, code, param } })}\n\n`;
}

function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
