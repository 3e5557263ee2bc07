import { Router, type Request } from 'express';
import { GatewayError } from '../shared/errors.js';
import type { SnapshotHolder } from '../runtime/snapshot-holder.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { authMiddleware, keyVisibleModels } from './auth.js';
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

/** Everything under /v1. Unknown routes answer like OpenAI does, in its envelope. */
export function v1Router(deps: V1Deps): Router {
  const router = Router();
  // First: request id and the snapshot this request will use to its end. Auth (issue 4) goes
  // right after it and fills the context's keyId.
  router.use(requestContext(deps.holder, deps.clock ?? systemClock));
  router.use(authMiddleware({ holder: deps.holder, clock: deps.clock ?? systemClock }));
  router.use(modelsRouter(deps.holder, deps.visibleModels ?? keyVisibleModels));
  router.post('/chat/completions', proxyEndpoint(deps.proxy, 'chat.completions'));
  router.post('/responses', proxyEndpoint(deps.proxy, 'responses'));
  router.post('/embeddings', proxyEndpoint(deps.proxy, 'embeddings'));
  router.use(function unknownRoute(req: Request) {
    throw new GatewayError(404, 'invalid_request_error', 'unknown_url', `Invalid URL (${req.method} /v1${req.path}).`);
  });
  return router;
}
