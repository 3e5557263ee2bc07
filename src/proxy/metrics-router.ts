import type { IncomingHttpHeaders } from 'node:http';
import { Router, type Request, type Response } from 'express';
import { GatewayError } from '../shared/errors.js';

export const METRICS_PATH = '/metrics';

/** Who is asking: the socket's peer (never a forwarded header alone) and what they sent. */
export interface MetricsCredentials {
  remoteAddress: string | undefined;
  headers: IncomingHttpHeaders;
  authorization: string | undefined;
}

export type MetricsAccess = { ok: true } | { ok: false; reason: string };

export interface MetricsRouterDeps {
  /** The page to serve (Prometheus text format) and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
  /**
   * The access rule, injected by main (it is the admin API's: bearer admin token, or loopback
   * only while `admin.tokens` is empty), since proxy/ may not import admin/.
   */
  authorize(credentials: MetricsCredentials): MetricsAccess;
}

/**
 * `GET /metrics` for Prometheus. Usage figures per key and account are operator data, so the
 * endpoint is guarded like the admin API rather than left open next to /v1.
 */
export function metricsRouter(deps: MetricsRouterDeps): Router {
  const router = Router();
  router.get('/', async function metrics(req: Request, res: Response) {
    const access = deps.authorize({ remoteAddress: req.socket.remoteAddress, headers: req.headers, authorization: req.headers.authorization });
    if (!access.ok) {
      throw new GatewayError(401, 'authentication_error', 'unauthorized', `metrics: ${access.reason}`, {
        headers: { 'WWW-Authenticate': 'Bearer realm="codex-lb metrics"' },
      });
    }
    const page = await deps.render();
    res.setHeader('Content-Type', page.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.end(page.body);
  });
  return router;
}
