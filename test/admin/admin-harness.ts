import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import { WebSocket } from 'ws';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';
import { TempConfig } from '../helpers/temp-config.js';

/** A GraphQL answer as JSON, with the HTTP status it came with. */
export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  headers: Headers;
}

export interface GqlOptions {
  token?: string;
  headers?: Record<string, string>;
}

/** One GraphQL operation over HTTP POST, as any client sends it. */
export async function graphqlRequest<T = Record<string, unknown>>(url: string, query: string, variables: Record<string, unknown> = {}, options: GqlOptions = {}): Promise<GqlResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GqlResponse<T>, 'status' | 'headers'>;
  return { status: res.status, headers: res.headers, ...body };
}

/** Like graphqlRequest, but fails the test on any error and returns `data`. */
export async function graphqlData<T = Record<string, unknown>>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const res = await graphqlRequest<T>(url, query, variables, { token });
  if (res.errors?.length || res.status !== 200 || !res.data) throw new Error(`GraphQL failed (${res.status}): ${JSON.stringify(res.errors)}`);
  return res.data;
}

/** A lazy graphql-ws client for the endpoint (`http(s)://…/graphql`). */
export function graphqlSocket(url: string, connectionParams: Record<string, unknown> = {}, onClose?: (code: number, reason: string) => void): Client {
  return createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
    on: {
      closed: (event) => {
        const close = event as { code: number; reason: string };
        onClose?.(close.code, String(close.reason));
      },
    },
  });
}

/** A real gateway from config text, plus real HTTP and graphql-ws clients for its admin API. */
export class AdminHarness {
  readonly sockets: Client[] = [];

  private constructor(
    readonly config: TempConfig,
    readonly gateway: Gateway,
  ) {}

  static async start(text: string, options: Partial<GatewayOptions> = {}): Promise<AdminHarness> {
    const config = new TempConfig(text);
    const gateway = await startGateway({ configPath: config.path, watch: false, logger: createLogger({ level: 'silent' }), env: {}, ...options });
    return new AdminHarness(config, gateway);
  }

  get graphqlUrl(): string {
    return `${this.gateway.url}/graphql`;
  }

  gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, options: GqlOptions = {}): Promise<GqlResponse<T>> {
    return graphqlRequest<T>(this.graphqlUrl, query, variables, options);
  }

  /** Like gql, but fails the test on any error and returns `data`. */
  data<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
    return graphqlData<T>(this.graphqlUrl, query, variables, token);
  }

  socket(connectionParams: Record<string, unknown> = {}, onClose?: (code: number, reason: string) => void): Client {
    const client = graphqlSocket(this.graphqlUrl, connectionParams, onClose);
    this.sockets.push(client);
    return client;
  }

  async close(): Promise<void> {
    await Promise.all(this.sockets.map((s) => s.dispose()));
    await this.gateway.close();
    this.config.remove();
  }
}

/** Collects a subscription's results; `next()` waits for the next one. */
export class Feed<T = Record<string, unknown>> {
  readonly results: FormattedExecutionResult<T, unknown>[] = [];
  error: unknown = null;
  completed = false;
  private readonly waiters: Array<() => void> = [];
  private taken = 0;
  readonly unsubscribe: () => void;
  private readonly connected: Promise<void>;

  constructor(client: Client, query: string, variables: Record<string, unknown> = {}) {
    // A fresh (lazy) socket connects for this subscription: its ack comes just before the server
    // sets the subscription up. A socket already connected by an earlier feed fires no event.
    this.connected = new Promise((resolve) => {
      const off = client.on('connected', () => {
        off();
        resolve();
      });
      setTimeout(resolve, 2_000).unref();
    });
    this.unsubscribe = client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          this.results.push(value);
          this.wake();
        },
        error: (error) => {
          this.error = error;
          this.wake();
        },
        complete: () => {
          this.completed = true;
          this.wake();
        },
      },
    );
  }

  /**
   * Resolves once the subscription is (all but certainly) set up on the server: the socket's
   * ack plus a margin. graphql-ws has no per-subscription ack, and an event published before the
   * server set the subscription up is not delivered.
   */
  async ready(): Promise<void> {
    await this.connected;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }

  /** The next result not yet taken; rejects after `timeoutMs`. */
  async next(timeoutMs = 15_000): Promise<FormattedExecutionResult<T, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (this.results.length <= this.taken) {
      if (this.error !== null) throw new Error(`subscription failed: ${describe(this.error)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no subscription result within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.results[this.taken++]!;
  }

  /** The next result's data, failing on errors. */
  async nextData(timeoutMs = 15_000): Promise<T> {
    const result = await this.next(timeoutMs);
    if (result.errors?.length || !result.data) throw new Error(`subscription result with errors: ${JSON.stringify(result.errors)}`);
    return result.data;
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'code' in error) return `close ${String((error as { code: unknown }).code)}`;
  return JSON.stringify(error);
}

/** Opens a socket with the params and reports how it closed (code), or 'open' once acknowledged. */
export function connectOutcome(harness: AdminHarness, params: Record<string, unknown>): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const client = createClient({
      url: harness.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: params,
      retryAttempts: 0,
      lazy: false,
      on: {
        connected: () => resolve('open'),
        closed: (event) => resolve((event as { code: number }).code),
      },
      onNonLazyError: () => {},
    });
    harness.sockets.push(client);
  });
}
