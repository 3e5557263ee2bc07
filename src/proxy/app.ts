import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type Request, type Response, type NextFunction, type Router } from 'express';
import { GatewayError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { errorMiddleware } from './error-middleware.js';
import { withFastLane, type FastRoutes } from './fast-lane.js';

export interface ReadyState {
  ready: boolean;
  checks: Record<string, boolean | string | number>;
}

export interface AppDeps {
  logger: Logger;
  v1: Router;
  /** The busiest /v1 routes, served ahead of the app (see fast-lane.ts). */
  fast?: FastRoutes;
  /** Extra mounts (admin API, dashboard, /backend-api/codex), built by their own modules. */
  mounts?: ReadonlyArray<{ path: string; handler: Router }>;
  ready: () => ReadyState | Promise<ReadyState>;
  /** True once shutdown began: new requests are refused so in-flight ones can finish. */
  draining: () => boolean;
  trustProxy?: boolean | number | string;
}

export interface GatewayApp {
  readonly app: Express;
  /** The server's request listener: the fast lane, then the app. */
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void;
}

/** The gateway's HTTP application: health, readiness, /v1 and whatever else main mounts. */
export function createApp(deps: AppDeps): GatewayApp {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', deps.trustProxy ?? false);

  app.get('/health', function health(_req: Request, res: Response) {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async function ready(_req: Request, res: Response) {
    const state = await deps.ready();
    res.status(state.ready && !deps.draining() ? 200 : 503).json({ status: state.ready && !deps.draining() ? 'ready' : 'not_ready', ...state.checks });
  });
  app.use(function refuseWhileDraining(_req: Request, res: Response, next: NextFunction) {
    if (!deps.draining()) return next();
    res.setHeader('Connection', 'close');
    next(new GatewayError(503, 'service_unavailable', 'shutting_down', 'The gateway is shutting down; retry shortly.', { headers: { 'Retry-After': '1' } }));
  });
  app.use('/v1', deps.v1);
  for (const mount of deps.mounts ?? []) app.use(mount.path, mount.handler);
  app.use(function notFound(req: Request) {
    throw new GatewayError(404, 'invalid_request_error', 'unknown_url', `Invalid URL (${req.method} ${req.path}).`);
  });
  const onError = errorMiddleware(deps.logger);
  app.use(onError);
  // While draining, the lane steps aside so the refusal above answers.
  const listener = deps.fast === undefined ? app : withFastLane(app, { routes: deps.fast, bypass: deps.draining, onError });
  return { app, listener };
}
