import type { Server } from 'node:http';

/** Stops accepting, lets in-flight requests finish within the grace period, then cuts the rest. */
export async function shutdownServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Keep-alive sockets that finish their request during the grace period are closed as they go idle.
  const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
  await Promise.race([closed, deadline]);
  clearInterval(idleSweep);
  server.closeAllConnections();
  await closed;
}
