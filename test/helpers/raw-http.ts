import { connect, type Socket } from 'node:net';

/**
 * HTTP/1.1 over a bare `node:net` socket, for what no HTTP client will send: malformed framing,
 * header floods, bytes trickled one at a time, uploads cut off mid-body. Each connection carries
 * one exchange and is read until the server closes it (or the test gives up).
 */
export interface RawResponse {
  /** The status line's code; null when the server closed without answering. */
  status: number | null;
  headers: Record<string, string>;
  body: Buffer;
  /** How the connection ended: closed by the server, reset, or abandoned by the test. */
  ended: 'closed' | 'reset' | 'timeout' | 'aborted';
  /** When the connection ended, ms after it was opened. */
  elapsedMs: number;
}

export class RawConnection {
  private readonly socket: Socket;
  private readonly chunks: Buffer[] = [];
  private readonly openedAt = Date.now();
  private ending: RawResponse['ended'] = 'closed';
  private readonly finished: Promise<RawResponse>;

  constructor(port: number, host = '127.0.0.1') {
    this.socket = connect(port, host);
    this.socket.on('data', (chunk: Buffer) => this.chunks.push(chunk));
    this.socket.on('error', (error: NodeJS.ErrnoException) => {
      if (this.ending === 'closed') this.ending = error.code === 'ECONNRESET' || error.code === 'EPIPE' ? 'reset' : 'closed';
    });
    this.finished = new Promise((resolve) => this.socket.on('close', () => resolve(this.result())));
  }

  /** Resolves once connected, so timings start from a real connection. */
  connected(): Promise<void> {
    if (!this.socket.connecting) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
  }

  write(data: string | Buffer): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.socket.write(data, () => resolve()));
  }

  /** Writes `data` one piece at a time, `delayMs` apart (a slow-loris client). */
  async trickle(data: string, pieceLength: number, delayMs: number, stop: () => boolean = () => false): Promise<void> {
    for (let i = 0; i < data.length && !this.socket.destroyed && !stop(); i += pieceLength) {
      await this.write(data.slice(i, i + pieceLength));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  get closed(): boolean {
    return this.socket.destroyed;
  }

  /** Cuts the connection from this side (an aborted upload). */
  abort(): Promise<RawResponse> {
    this.ending = 'aborted';
    this.socket.destroy();
    return this.finished;
  }

  /** The server's answer, once it closed the connection (or `timeoutMs` passed: abandoned). */
  response(timeoutMs = 30_000): Promise<RawResponse> {
    const timer = setTimeout(() => {
      this.ending = 'timeout';
      this.socket.destroy();
    }, timeoutMs);
    return this.finished.finally(() => clearTimeout(timer));
  }

  private result(): RawResponse {
    const data = Buffer.concat(this.chunks);
    const elapsedMs = Date.now() - this.openedAt;
    const headEnd = data.indexOf('\r\n\r\n');
    const head = (headEnd === -1 ? data : data.subarray(0, headEnd)).toString('latin1');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
    if (match === null) return { status: null, headers: {}, body: Buffer.alloc(0), ended: this.ending, elapsedMs };
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n').slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const raw = headEnd === -1 ? Buffer.alloc(0) : data.subarray(headEnd + 4);
    const body = headers['transfer-encoding']?.toLowerCase() === 'chunked' ? dechunk(raw) : raw;
    return { status: Number(match[1]), headers, body, ended: this.ending, elapsedMs };
  }
}

/** One request written at once (or in the given pieces), then the server's answer. */
export async function rawExchange(port: number, ...pieces: Array<string | Buffer>): Promise<RawResponse> {
  const connection = new RawConnection(port);
  for (const piece of pieces) await connection.write(piece);
  return connection.response();
}

/** A request head: request line, headers (Host and Connection: close added), blank line. */
export function requestHead(method: string, path: string, headers: Record<string, string> = {}): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd === -1) break;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
