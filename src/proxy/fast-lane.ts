import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { GatewayError } from '../shared/errors.js';

/** Exact request URLs (`/v1/chat/completions`) and the handlers that serve them, in order. */
export type FastRoutes = ReadonlyMap<string, readonly RequestHandler[]>;

export interface FastLaneOptions {
  readonly routes: FastRoutes;
  /** True while the lane must step aside (shutdown: the app's refusal answers). */
  readonly bypass: () => boolean;
  /** The app's error middleware: errors of the lane are rendered exactly as the routers' are. */
  readonly onError: ErrorRequestHandler;
}

/**
 * The server's request listener: the proxied POSTs go straight to the same handlers the `/v1`
 * router runs (request context, auth, the endpoint); everything else goes to the Express app.
 * Express's own entry (`app.handle`: a final handler per request, the router's layer walk, path
 * matching, parameter processing) costs several µs per request, measurable at proxy rates, and
 * gives these routes nothing. Anything that is not an exact match (a query string, another case,
 * a trailing slash, another method) and every request during shutdown goes to the app, which
 * answers it as before.
 *
 * The server creates requests and responses with the app's prototypes (express-server-options.ts),
 * so Express's methods are there; what `app.handle` would add per request is added here.
 */
export function withFastLane(app: Express, lane: FastLaneOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return function frontDoor(incoming: IncomingMessage, outgoing: ServerResponse) {
    const chain = incoming.method === 'POST' && incoming.url !== undefined ? lane.routes.get(incoming.url) : undefined;
    if (chain === undefined || lane.bypass()) {
      app(incoming, outgoing);
      return;
    }
    const req = incoming as Request;
    const res = outgoing as Response;
    req.res = res;
    res.req = req;
    req.originalUrl = req.url;
    req.baseUrl = '';
    res.locals = Object.create(null) as Response['locals'];
    const done: NextFunction = (error?: unknown) => {
      // The endpoint handlers answer every request; a chain that runs out has nothing to serve.
      const failure = error ?? new GatewayError(404, 'invalid_request_error', 'unknown_url', `Invalid URL (${req.method} ${req.originalUrl}).`);
      lane.onError(failure, req, res, () => res.end());
    };
    run(chain, 0, req, res, done);
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
