import { Router, type NextFunction, type Request, type Response } from 'express';
import type { SnapshotHolder } from '../runtime/snapshot-holder.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { GatewayError } from '../shared/errors.js';
import { authMiddleware } from './auth.js';
import { proxyEndpoint } from './proxy-endpoint.js';
import type { ProxyServices } from './proxy-services.js';
import { requestContext } from './request-context.js';

export interface CodexRouteDeps {
  holder: SnapshotHolder;
  proxy: ProxyServices;
  clock?: Clock;
}

export const CODEX_MOUNT_PATH = '/backend-api/codex';

/**
 * The Codex CLI's own route (`base_url = http://127.0.0.1:2455/backend-api/codex`): `POST
 * /responses`, the same pipeline as /v1 (auth, limits, routing, usage) with the backend's events
 * (`codex.*` included) and session headers passed through as they are. Errors use the Codex
 * backend's wording where the CLI depends on it: an exhausted pool is `type: usage_limit_reached`
 * with `resets_at`, which the CLI turns into "try again at …".
 */
export function codexRouter(deps: CodexRouteDeps): Router {
  const clock = deps.clock ?? systemClock;
  const router = Router();
  router.use(requestContext(deps.holder, clock));
  router.use(authMiddleware({ holder: deps.holder, clock }));
  router.post('/responses', proxyEndpoint(deps.proxy, 'codex.responses'));
  router.use(function unknownCodexRoute(req: Request) {
    throw new GatewayError(404, 'invalid_request_error', 'unknown_url', `Invalid URL (${req.method} ${CODEX_MOUNT_PATH}${req.path}).`);
  });
  router.use(function codexErrorShape(err: unknown, _req: Request, _res: Response, next: NextFunction) {
    if (err instanceof GatewayError && err.code === 'usage_limit_reached' && err.type !== 'usage_limit_reached') {
      next(new GatewayError(err.status, 'usage_limit_reached', err.code, err.message, { param: err.param, headers: { ...err.headers }, details: { ...err.details } }));
      return;
    }
    next(err);
  });
  return router;
}
