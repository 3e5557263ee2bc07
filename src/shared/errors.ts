/**
 * The one error hierarchy of the gateway. The proxy's error middleware renders it as the
 * OpenAI envelope {"error":{"message","type","code","param"}} that every SDK parses.
 */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  /** What the Codex backend (and so the Codex CLI) calls an exhausted quota. */
  | 'usage_limit_reached'
  | 'server_error'
  | 'upstream_error'
  | 'service_unavailable';

export interface ErrorEnvelope {
  error: { message: string; type: string; code: string | null; param: string | null; [detail: string]: unknown };
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly headers: Readonly<Record<string, string>>;
  /** Extra fields of the envelope's `error`, e.g. `resets_at` of usage_limit_reached (Codex clients read it). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    status: number,
    type: ErrorType,
    code: string | null,
    message: string,
    options: { param?: string | null; headers?: Record<string, string>; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
    this.details = options.details ?? {};
  }

  toEnvelope(): ErrorEnvelope {
    return { error: { ...this.details, message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}

export function invalidRequest(message: string, param: string | null = null, code: string | null = null): GatewayError {
  return new GatewayError(400, 'invalid_request_error', code, message, { param });
}

export function notFound(message: string, code = 'not_found'): GatewayError {
  return new GatewayError(404, 'invalid_request_error', code, message);
}

export function modelNotFound(model: string): GatewayError {
  return new GatewayError(404, 'invalid_request_error', 'model_not_found', `The model '${model}' does not exist or you do not have access to it.`, { param: 'model' });
}
