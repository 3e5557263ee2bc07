import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Exact request URLs (`/v1/chat/completions`) and the handlers that serve them, in order. */
export type FastRoutes = ReadonlyMap<string, readonly RequestHandler[]>;

/**
 * The proxied POSTs, served from the app's first layer: the same handlers the `/v1` router
 * runs (request context, auth, the endpoint), without walking the app's and the router's
 * layers and their path matching on every request — measurable at proxy rates. Anything else
 * (a query string, another case, a trailing slash, another method, shutdown) falls through to
 * the routers, which answer it as before. Errors go to the app's error middleware like a
 * router's do: `next(err)` from here skips every layer up to it.
 */
export function fastLane(routes: FastRoutes, bypass: () => boolean): RequestHandler {
  return function proxiedFastLane(req: Request, res: Response, next: NextFunction) {
    const chain = req.method === 'POST' ? routes.get(req.url) : undefined;
    if (chain === undefined || bypass()) return next();
    run(chain, 0, req, res, next);
  };
}

function run(chain: readonly RequestHandler[], at: number, req: Request, res: Response, done: NextFunction): void {
  if (at === chain.length) return done();
  const advance: NextFunction = (error?: unknown) => {
    if (error !== undefined && error !== null) return done(error);
    run(chain, at + 1, req, res, done);
  };
  try {
    const result: unknown = chain[at](req, res, advance);
    if (result instanceof Promise) result.catch(done);
  } catch (error) {
    done(error);
  }
}
