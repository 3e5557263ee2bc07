import { join } from 'node:path';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { sameOriginCsp } from '../shared/content-security-policy.js';
import { clientDirectory, dashboardAssets } from './dashboard-assets.js';

/** Where the page loads its scripts and styles from (index.html spells the same path). */
export const DASHBOARD_ASSETS_PATH = '/dashboard/assets';

/**
 * The dashboard at `/`: one static page and its assets. The page holds no data, so it is served
 * without admin auth; everything it shows comes from the admin API (`/graphql`), which checks
 * the admin token on every request and socket. Mount at `/`: other paths fall through.
 */
export function dashboardRouter(dir = clientDirectory()): Router {
  const assets = dashboardAssets(dir);
  const page = join(dir, 'index.html');
  const router = Router();
  const send = (res: Response, next: NextFunction, file: string) => res.sendFile(file, (error) => error && next(error));

  router.get('/', function dashboardPage(req: Request, res: Response, next: NextFunction) {
    res.setHeader('Content-Security-Policy', sameOriginCsp(req.headers.host));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html');
    send(res, next, page);
  });
  router.get(`${DASHBOARD_ASSETS_PATH}/:name`, function dashboardAsset(req: Request, res: Response, next: NextFunction) {
    const asset = assets.get(String(req.params.name));
    if (asset === undefined) return next();
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Revalidated on each load (Last-Modified): an upgraded gateway never runs yesterday's script.
    res.setHeader('Cache-Control', 'no-cache');
    res.type(asset.type);
    send(res, next, asset.file);
  });
  return router;
}
