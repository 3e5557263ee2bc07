import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { authorizeAdmin, type AdminCredentials } from './admin-auth.js';
import type { AdminContext } from './context.js';
import { depthLimit } from './depth-limit.js';
import { formatAdminError, unauthenticated } from './errors.js';
import type { AdminDeps } from './ports.js';
import { newScope } from './scope.js';

export interface WsEndpoint {
  close(): Promise<void>;
}

type SocketExtra = { credentials: AdminCredentials };

/** Sockets that ignore the close handshake are cut after this, so shutdown never hangs on them. */
const CLOSE_GRACE_MS = 500;

/**
 * Subscriptions (and queries/mutations, if a client prefers) over graphql-ws on the HTTP server's
 * own port and path. The upgrade is taken only for `path`, leaving other WebSocket routes to
 * whoever owns them. Authentication happens on `connection_init`: failures close with 4401. The
 * credentials are checked again on every subscribe, so a token removed from gateway.yaml stops
 * working on open sockets too.
 */
export function attachWsEndpoint(
  server: Server,
  path: string,
  schema: GraphQLSchema,
  deps: AdminDeps,
  services: Omit<AdminContext, 'scope'>,
): WsEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 2 * 1024 * 1024 });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (pathOf(req) !== path) {
      // Nobody else listens for upgrades: refuse instead of leaving the socket hanging.
      if (server.listenerCount('upgrade') === 1) socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  server.on('upgrade', onUpgrade);

  const check = (credentials: AdminCredentials | undefined, socket: WebSocket): boolean => {
    const auth = credentials === undefined ? { ok: false as const, reason: 'not authenticated' } : authorizeAdmin(deps.holder.current(), credentials);
    if (auth.ok) return true;
    // graphql-ws would close with 4403 on `false`; the protocol's code for bad credentials is 4401.
    socket.close(CloseCode.Unauthorized, 'Unauthorized');
    return false;
  };

  const disposable = useServer<Record<string, unknown> | undefined, SocketExtra>(
    {
      schema,
      isProd: true,
      validate: (s, document) => validate(s, document, [...specifiedRules, depthLimit()]),
      onConnect(ctx) {
        const credentials: AdminCredentials = {
          remoteAddress: ctx.extra.request.socket.remoteAddress,
          headers: ctx.extra.request.headers,
          authorization: connectionAuthorization(ctx.connectionParams),
        };
        ctx.extra.credentials = credentials;
        return check(credentials, ctx.extra.socket);
      },
      onSubscribe(ctx) {
        if (!check(ctx.extra.credentials, ctx.extra.socket)) return [unauthenticated('admin credentials are no longer valid')];
        return undefined;
      },
      context: (): AdminContext => ({ scope: newScope(deps), ...services }),
      onNext(_ctx, _id, _payload, _args, result) {
        // The same error shapes as over HTTP (codes for service errors, no internals).
        if (!result.errors?.length) return undefined;
        return { ...result, errors: result.errors.map((error) => formatAdminError(error.toJSON(), error)) };
      },
    },
    wss,
  );

  return {
    async close() {
      server.off('upgrade', onUpgrade);
      const clients = [...wss.clients];
      await disposable.dispose();
      await new Promise((resolve) => setTimeout(resolve, clients.some((c) => c.readyState !== WebSocket.CLOSED) ? CLOSE_GRACE_MS : 0));
      for (const client of clients) if (client.readyState !== WebSocket.CLOSED) client.terminate();
    },
  };
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '') || '/';
  } catch {
    return '';
  }
}

/**
 * `authorization` from connectionParams, any case: GraphiQL forwards its Headers tab as the
 * params, so `{"Authorization": "Bearer …"}` there works for subscriptions as well.
 */
export function connectionAuthorization(params: Record<string, unknown> | undefined | null): string | undefined {
  if (!params) return undefined;
  for (const [name, value] of Object.entries(params)) {
    if (name.toLowerCase() === 'authorization' && typeof value === 'string') return value;
  }
  return undefined;
}
