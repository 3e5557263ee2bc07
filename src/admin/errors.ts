import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { GatewayError } from '../shared/errors.js';

/**
 * GraphQL errors of the admin API. Codes follow Apollo's conventions so generic clients know
 * them; `http.status` is honoured by Apollo for errors raised before execution (auth).
 */
export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

export function badInput(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(argument ? { argument } : {}) } });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}

export function serviceUnavailable(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'SERVICE_UNAVAILABLE' } });
}

const CONTEXT_PREFIX = 'Context creation failed: ';

/**
 * Shapes every error sent to clients: a `GatewayError` from a service (e.g. a bad cursor) keeps
 * its message with a matching code; Apollo's prefix on auth failures is dropped, since the code
 * already says where it failed.
 */
export function formatAdminError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof GatewayError) {
    const code = original.status === 400 ? 'BAD_USER_INPUT' : original.status === 404 ? 'NOT_FOUND' : 'INTERNAL_SERVER_ERROR';
    return { ...formatted, message: original.message, extensions: { ...formatted.extensions, code } };
  }
  if (formatted.extensions?.code === 'UNAUTHENTICATED' && formatted.message.startsWith(CONTEXT_PREFIX)) {
    return { ...formatted, message: formatted.message.slice(CONTEXT_PREFIX.length) };
  }
  return formatted;
}
