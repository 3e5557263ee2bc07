import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { AttemptAbort } from './attempt-abort.js';
import type { UpstreamRequest } from './provider-adapter.js';
import type { HeaderBag } from './rate-limit-headers.js';

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: HeaderBag;
  /** undici's body, or a stream an adapter made (a translated or collected answer). */
  readonly body: Readable;
}

/**
 * Sends upstream requests over one long-lived undici dispatcher (keep-alive pools per origin,
 * built in main). Timeouts are the caller's: headers/body timeouts are off here because the
 * proxy runs its own timers (connect-until-first-byte, stream idle) with per-snapshot values.
 */
export class UpstreamClient {
  constructor(private readonly dispatcher: Dispatcher) {}

  async send(request: UpstreamRequest, signal: AttemptAbort): Promise<UpstreamResponse> {
    const response = await this.dispatcher.request({
      origin: request.origin,
      path: request.path,
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    return { status: response.statusCode, headers: response.headers, body: response.body };
  }
}

/** A short description of a transport error for account state and logs. */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? (error.cause as { code?: unknown }).code ?? error.cause.message : null;
  return [typeof code === 'string' ? code : null, error.message, typeof cause === 'string' ? cause : null].filter((part) => part !== null && part !== '').join(': ');
}

/**
 * Drops an upstream body that will not be read (a 401 before a retry, the rest of an oversized
 * answer). undici's body emits an AbortError when destroyed before its end: without a listener
 * that error would escape as an uncaught exception and take the process down.
 */
export function discardBody(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}
