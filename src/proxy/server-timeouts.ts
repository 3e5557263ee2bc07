import type { Server, ServerOptions } from 'node:http';
import type { GatewayConfig } from '../config/schema.js';
import { durationMs } from '../shared/durations.js';

/**
 * How long clients may take to send a request (`server.timeouts`). Node enforces these by
 * sweeping its connections every `connectionsCheckingInterval` (30 s by default, which would let
 * a slow-loris client linger half a minute past its limit); a 1 s sweep walks a list of open
 * connections, cheap even with thousands of streams open. Only receiving the request is timed:
 * a streamed answer may run as long as the upstream keeps it going.
 */
const CONNECTIONS_CHECK_MS = 1_000;

export function serverTimeoutOptions(server: GatewayConfig['server']): Pick<ServerOptions, 'headersTimeout' | 'requestTimeout' | 'connectionsCheckingInterval'> {
  return { ...limits(server), connectionsCheckingInterval: CONNECTIONS_CHECK_MS };
}

/** After a reload: Node reads both limits on every sweep, so they apply to the next one. */
export function applyServerTimeouts(target: Server, server: GatewayConfig['server']): void {
  const { headersTimeout, requestTimeout } = limits(server);
  target.headersTimeout = headersTimeout;
  target.requestTimeout = requestTimeout;
}

function limits(server: GatewayConfig['server']): { headersTimeout: number; requestTimeout: number } {
  const headersTimeout = durationMs(server.timeouts.headers);
  // Node refuses a headers timeout longer than the request timeout: the headers are part of it.
  return { headersTimeout, requestTimeout: Math.max(headersTimeout, durationMs(server.timeouts.request)) };
}
