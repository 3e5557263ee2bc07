import type { ErrorRequestHandler, Request, Response } from 'express';
import { GatewayError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { setGatewayHeaders } from './request-context.js';

/**
 * Renders every error as the OpenAI envelope {"error":{"message","type","code","param"}}, the one
 * shape every SDK parses. Body-parser failures become precise 4xx; anything unexpected is a 500
 * whose details go to the log, not to the client.
 */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return function renderError(err: unknown, req: Request, res: Response, _next) {
    const error = toGatewayError(err);
    if (error.status >= 500 && !(err instanceof GatewayError)) {
      logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
    }
    if (res.headersSent) {
      // A stream already started: the status line is gone, so say it in the stream and end it.
      if (!res.writableEnded) {
        if (String(res.getHeader('content-type') ?? '').includes('text/event-stream')) {
          res.end(`event: error\ndata: ${JSON.stringify(error.toEnvelope())}\n\n`);
        } else {
          res.destroy();
        }
      }
      return;
    }
    // The request id and rate-limit headers of the request first; the error's own win over them.
    setGatewayHeaders(res);
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    res.status(error.status).json(error.toEnvelope());
  };
}

interface HttpErrorLike {
  type?: unknown;
  status?: unknown;
  statusCode?: unknown;
  message?: unknown;
  limit?: unknown;
}

export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const e = (err !== null && typeof err === 'object' ? err : {}) as HttpErrorLike;
  switch (e.type) {
    case 'entity.too.large':
      return new GatewayError(413, 'invalid_request_error', 'request_too_large', `Request body is larger than the limit of ${String(e.limit)} bytes.`);
    case 'entity.parse.failed':
      return new GatewayError(400, 'invalid_request_error', 'invalid_json', 'We could not parse the JSON body of your request. The body must be valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new GatewayError(415, 'invalid_request_error', 'unsupported_encoding', String(e.message ?? 'Unsupported encoding.'));
    case 'request.aborted':
      return new GatewayError(400, 'invalid_request_error', 'request_aborted', 'The request was aborted by the client.');
    default:
      break;
  }
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    return new GatewayError(status, 'invalid_request_error', null, String(e.message ?? 'Bad request.'));
  }
  return new GatewayError(500, 'server_error', 'internal_error', 'The gateway hit an internal error. It has been logged.');
}
