// @ts-check
/**
 * The dashboard's only way to the gateway: the GraphQL admin API on this page's own origin,
 * queries and mutations over `fetch`, live feeds over one graphql-ws socket (the UMD client
 * served from the gateway's node_modules). The admin token, when one is needed, is sent as
 * `Authorization` and as the socket's `connectionParams.authorization`.
 */

/** @typedef {typeof import('graphql-ws/client')} GraphqlWs */
/** @typedef {import('graphql-ws/client').Client} WsClient */
/** @typedef {'connecting' | 'live' | 'reconnecting' | 'auth'} ConnectionState */

/** An admin API failure; `code` is the GraphQL error code (UNAUTHENTICATED, SERVICE_UNAVAILABLE, …). */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {string} code
   */
  constructor(message, code) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

/** The socket was refused for want of a valid admin token. */
const UNAUTHORIZED_CLOSE = 4401;

function graphqlWs() {
  const lib = /** @type {GraphqlWs | undefined} */ (Reflect.get(window, 'graphqlWs'));
  if (lib === undefined) throw new Error('graphql-ws client not loaded');
  return lib;
}

export class AdminApi {
  /**
   * @param {{
   *   token: () => string | null,
   *   onAuthRequired: (reason: string | null) => void,
   *   onConnection: (state: ConnectionState, reconnected: boolean) => void,
   * }} options
   */
  constructor(options) {
    this.options = options;
    this.endpoint = `${window.location.origin}/graphql`;
    /** @type {WsClient | null} */
    this.ws = null;
    /** @type {Set<{ query: string, variables: Record<string, unknown>, next: (data: unknown) => void, stop: (() => void) | null }>} */
    this.subscriptions = new Set();
    this.everConnected = false;
  }

  /**
   * @param {string} query
   * @param {Record<string, unknown>} [variables]
   * @returns {Promise<unknown>} `data`, for the caller to read as the shape its query asks for
   */
  async request(query, variables = {}) {
    const token = this.options.token();
    const res = await fetch(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    /** @type {{ data?: unknown, errors?: Array<{ message: string, extensions?: { code?: string } }> }} */
    const body = await res.json().catch(() => ({ errors: [{ message: `HTTP ${res.status}` }] }));
    const first = body.errors?.[0];
    if (res.status === 401 || first?.extensions?.code === 'UNAUTHENTICATED') {
      const reason = first?.message ?? 'admin token required';
      this.options.onAuthRequired(reason);
      throw new ApiError(reason, 'UNAUTHENTICATED');
    }
    if (first !== undefined || !body.data) throw new ApiError(first?.message ?? `HTTP ${res.status}`, first?.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    return body.data;
  }

  /**
   * A live feed that survives reconnects and token changes; returns the unsubscribe function.
   * @param {string} query
   * @param {Record<string, unknown>} variables
   * @param {(data: unknown) => void} next
   */
  subscribe(query, variables, next) {
    const entry = { query, variables, next, stop: /** @type {(() => void) | null} */ (null) };
    this.subscriptions.add(entry);
    this.start(entry);
    return () => {
      this.subscriptions.delete(entry);
      entry.stop?.();
    };
  }

  /** Opens a new socket with the current token and moves every feed onto it. */
  reconnect() {
    const old = this.ws;
    this.ws = null;
    for (const entry of this.subscriptions) entry.stop = null;
    void old?.dispose();
    for (const entry of this.subscriptions) this.start(entry);
  }

  /** @param {{ query: string, variables: Record<string, unknown>, next: (data: unknown) => void, stop: (() => void) | null }} entry */
  start(entry) {
    entry.stop = this.socket().subscribe(
      { query: entry.query, variables: entry.variables },
      {
        next: (result) => {
          if (result.data) entry.next(result.data);
        },
        error: () => {
          // A refused socket ends the feed; reconnect() starts it again with the new token.
          entry.stop = null;
        },
        complete: () => {},
      },
    );
  }

  /** @returns {WsClient} */
  socket() {
    if (this.ws !== null) return this.ws;
    const { createClient } = graphqlWs();
    /** @type {WsClient} */
    const client = createClient({
      url: this.endpoint.replace(/^http/, 'ws'),
      // Lazy: the socket opens with the first subscription (there always is one) and `client`
      // is assigned before any event handler below can run.
      lazy: true,
      keepAlive: 15_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** Math.min(retries, 5)))),
      shouldRetry: (event) => !isUnauthorized(event),
      connectionParams: () => {
        const token = this.options.token();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      on: {
        connecting: () => {
          if (this.ws === client) this.options.onConnection(this.everConnected ? 'reconnecting' : 'connecting', false);
        },
        connected: () => {
          if (this.ws !== client) return;
          const reconnected = this.everConnected;
          this.everConnected = true;
          this.options.onConnection('live', reconnected);
        },
        closed: (event) => {
          if (this.ws !== client) return;
          if (isUnauthorized(event)) {
            this.options.onConnection('auth', false);
            // The close reason is a bare "Unauthorized"; the HTTP answers say why (null: keep theirs).
            this.options.onAuthRequired(null);
          } else {
            this.options.onConnection('reconnecting', false);
          }
        },
      },
    });
    this.ws = client;
    return client;
  }
}

/** @param {unknown} event */
function isUnauthorized(event) {
  return typeof event === 'object' && event !== null && 'code' in event && event.code === UNAUTHORIZED_CLOSE;
}
