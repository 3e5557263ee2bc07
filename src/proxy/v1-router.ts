import { Router, type Request } from 'express';
import { GatewayError } from '../shared/errors.js';
import type { SnapshotHolder } from '../runtime/snapshot-holder.js';
import { modelsRouter, type VisibleModels } from './models-router.js';

export interface V1Deps {
  holder: SnapshotHolder;
  visibleModels?: VisibleModels;
}

/** Everything under /v1. Unknown routes answer like OpenAI does, in its envelope. */
export function v1Router(deps: V1Deps): Router {
  const router = Router();
  router.use(modelsRouter(deps.holder, deps.visibleModels));
  router.use(function unknownRoute(req: Request) {
    throw new GatewayError(404, 'invalid_request_error', 'unknown_url', `Invalid URL (${req.method} /v1${req.path}).`);
  });
  return router;
}
