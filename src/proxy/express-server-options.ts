import { IncomingMessage, ServerResponse, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';

/**
 * Node server options under which Express's per-request `Object.setPrototypeOf(req|res, app.*)`
 * becomes a no-op: requests and responses are created with the app's prototypes from the start.
 * Changing an object's prototype after construction sends V8 off its fast paths for every later
 * property access on it; measured here it cost ~50 µs of CPU per request, more than the whole
 * proxy's own work. Instances are still IncomingMessage/ServerResponse (the app's prototypes
 * inherit from them), so nothing else sees a difference.
 */
export function expressServerOptions(app: Express): ServerOptions<typeof IncomingMessage, typeof ServerResponse> {
  function AppRequest(this: IncomingMessage, socket: Socket): void {
    Reflect.apply(IncomingMessage, this, [socket]);
  }
  AppRequest.prototype = app.request;
  function AppResponse(this: ServerResponse, req: IncomingMessage, options?: unknown): void {
    Reflect.apply(ServerResponse, this, [req, options]);
  }
  AppResponse.prototype = app.response;
  return {
    IncomingMessage: AppRequest as unknown as typeof IncomingMessage,
    ServerResponse: AppResponse as unknown as typeof ServerResponse,
  };
}
