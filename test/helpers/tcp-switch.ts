import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder that can be switched off and on: off cuts every open connection and resets
 * every new one, so clients see real "connection lost" and "connection reset" errors — a database
 * outage without touching the database. The listener stays bound while off: releasing the port
 * would let another test process take it (and silently end this outage through its own proxy).
 */
export class TcpSwitch {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private forwarding = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async on(): Promise<void> {
    this.forwarding = true;
    if (this.server) return;
    const server = createServer((client) => {
      if (!this.forwarding) {
        client.resetAndDestroy();
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.server = server;
  }

  async off(): Promise<void> {
    this.forwarding = false;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Release the port for good. */
  async dispose(): Promise<void> {
    await this.off();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A local port with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
