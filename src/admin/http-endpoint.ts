import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import { authorizeAdmin } from './admin-auth.js';
import type { AdminContext } from './context.js';
import { depthLimit } from './depth-limit.js';
import { formatAdminError, unauthenticated } from './errors.js';
import { graphiqlAssets, graphiqlCsp, graphiqlHtml } from './graphiql-page.js';
import type { AdminDeps } from './ports.js';
import { newScope } from './scope.js';

export interface HttpEndpoint {
  router: Router;
  stop(): Promise<void>;
}

/** The largest admin request body: a whole gateway.yaml for `validateConfig` fits easily. */
const BODY_LIMIT = '2mb';

/**
 * `/graphql` over HTTP: GraphiQL for browsers, Apollo Server for everything else. Apollo's CSRF
 * prevention stays on (GETs and text/plain POSTs need `apollo-require-preflight`), and every
 * reporting feature that would call Apollo's cloud is switched off explicitly, so setting
 * APOLLO_KEY in the environment cannot make the gateway send anything out.
 */
export async function createHttpEndpoint(
  schema: GraphQLSchema,
  deps: AdminDeps,
  services: Omit<AdminContext, 'scope'>,
): Promise<HttpEndpoint> {
  const apollo = new ApolloServer<AdminContext>({
    schema,
    introspection: true,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // main.ts owns the process's signals and shutdown order.
    stopOnTerminationSignals: false,
    validationRules: [depthLimit()],
    formatError: formatAdminError,
    logger: deps.logger,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
    ],
  });
  await apollo.start();

  const router = Router();
  const assets = graphiqlAssets();
  router.get('/assets/:name', function graphiqlAsset(req: Request, res: Response, next: NextFunction) {
    const asset = assets.find((a) => a.name === req.params.name);
    if (asset === undefined) return next();
    res.type(asset.type).setHeader('Cache-Control', 'public, max-age=86400');
    if (asset.text !== undefined) res.send(asset.text);
    else res.sendFile(asset.file ?? '', (error) => error && next(error));
  });
  router.get('/', function graphiql(req: Request, res: Response, next: NextFunction) {
    // Browsers ask for HTML; curl (*/*) and GraphQL clients (JSON) go on to Apollo.
    if (req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) !== 'text/html') return next();
    res.setHeader('Content-Security-Policy', graphiqlCsp(req.headers.host));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type('html').send(graphiqlHtml(`${req.baseUrl}/assets`));
  });
  const graphql = expressMiddleware(apollo, {
    async context({ req, res }): Promise<AdminContext> {
      const scope = newScope(deps);
      const auth = authorizeAdmin(scope.snapshot, {
        remoteAddress: req.socket.remoteAddress,
        headers: req.headers,
        authorization: req.headers.authorization,
      });
      if (!auth.ok) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="codex-lb admin"');
        throw unauthenticated(auth.reason);
      }
      return { scope, ...services };
    },
  });
  // Only the endpoint itself: anything else under /graphql (an unknown asset) is a plain 404.
  // (express.json on GET too: the integration insists on `req.body` being set.)
  router.route('/').all(express.json({ limit: BODY_LIMIT }), graphql);
  router.use(function graphqlBodyError(error: unknown, _req: Request, res: Response, next: NextFunction) {
    // express.json failures answer in GraphQL's shape rather than the /v1 OpenAI envelope.
    const status = typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : 500;
    if (status < 400 || status >= 500) return next(error);
    res.status(status).json({ errors: [{ message: error instanceof Error ? error.message : 'bad request', extensions: { code: 'BAD_REQUEST' } }] });
  });
  return { router, stop: () => apollo.stop() };
}
