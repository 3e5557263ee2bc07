import type { Server } from 'node:http';
import type { Router } from 'express';
import { AccountEventFeed } from './account-event-feed.js';
import { buildAdminSchema } from './admin-schema.js';
import { ConfigStatusTracker } from './config-status.js';
import { createHttpEndpoint } from './http-endpoint.js';
import type { AdminDeps } from './ports.js';
import { attachWsEndpoint, type WsEndpoint } from './ws-endpoint.js';

export const ADMIN_PATH = '/graphql';

/** The admin API as main.ts wires it: a mount, the socket side, and its part of shutdown. */
export interface AdminApi {
  readonly path: string;
  readonly router: Router;
  /** Serves graphql-ws on the HTTP server's `path` (call once the server exists). */
  attachSubscriptions(server: Server): void;
  /** Closes sockets (1001), stops feeds and Apollo. Call before the HTTP server's own close. */
  close(): Promise<void>;
}

export interface AdminApiOptions extends AdminDeps {
  /** gateway.yaml's path, re-hashed by `configStatus.inSync` after a rejected reload. */
  configPath: string;
}

export async function createAdminApi(options: AdminApiOptions): Promise<AdminApi> {
  const schema = buildAdminSchema();
  const status = new ConfigStatusTracker(options.bus, options.holder.current(), options.configPath);
  const accountFeed = new AccountEventFeed(options);
  const services = { status, accountFeed };
  const http = await createHttpEndpoint(schema, options, services);
  let ws: WsEndpoint | null = null;
  return {
    path: ADMIN_PATH,
    router: http.router,
    attachSubscriptions(server) {
      if (ws !== null) throw new Error('admin subscriptions are already attached');
      ws = attachWsEndpoint(server, ADMIN_PATH, schema, options, services);
    },
    async close() {
      await ws?.close();
      accountFeed.close();
      status.close();
      await http.stop();
    },
  };
}
