import { Router, type Request, type RequestHandler } from 'express';
import { GatewayError } from '../shared/errors.js';
import type { SnapshotHolder } from '../runtime/snapshot-holder.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { authMiddleware, keyVisibleModels } from './auth.js';
import type { FastRoutes } from './fast-lane.js';
import { modelsRouter, type VisibleModels } from './models-router.js';
import { proxyEndpoint } from './proxy-endpoint.js';
import type { ProxyServices } from './proxy-services.js';
import { requestContext } from './request-context.js';

export interface V1Deps {
  holder: SnapshotHolder;
  visibleModels?: VisibleModels;
  /** The proxy's long-lived services; the POST endpoints need them. */
  proxy: ProxyServices;
  clock?: Clock;
}

export interface V1Routes {
  /** Everything under /v1, mounted at `/v1`. */
  readonly router: Router;
  /** The proxied POSTs by exact URL, with the router's own handlers, for the app's fast lane. */
  readonly fast: FastRoutes;
}

/** Everything under /v1. Unknown routes answer like OpenAI does, in its envelope. */
export function v1Routes(deps: V1Deps): V1Routes {
  const router = Router();
  // First: request id and the snapshot this request will use to its end. Auth (issue 4) goes
  // right after it and fills the context's keyId.
  const clock = deps.clock ?? systemClock;
  const context = requestContext(deps.holder, clock);
  // The fast lane's proxied POSTs write the request id with their answer's head (one writeHead).
  const deferredContext = requestContext(deps.holder, clock, { deferHeaders: true });
  const auth = authMiddleware({ holder: deps.holder, clock });
  router.use(context);
  router.use(auth);
  const fast = new Map<string, readonly RequestHandler[]>();
  for (const [path, endpoint] of [['/chat/completions', 'chat.completions'], ['/responses', 'responses'], ['/embeddings', 'embeddings']] as const) {
    const handler = proxyEndpoint(deps.proxy, endpoint);
    // The proxied POSTs first: the busiest routes should not walk the models router's layers.
    router.post(path, handler);
    fast.set(`/v1${path}`, [deferredContext, auth, handler]);
  }
  router.use(modelsRouter(deps.holder, deps.visibleModels ?? keyVisibleModels));
  router.use(function unknownRoute(req: Request) {
    throw new GatewayError(404, 'invalid_request_error', 'unknown_url', `Invalid URL (${req.method} /v1${req.path}).`);
  });
  return { router, fast };
}
