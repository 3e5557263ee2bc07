import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { sameOriginCsp } from '../shared/content-security-policy.js';

/**
 * GraphiQL 4, served entirely from node_modules: React 18 and ReactDOM as UMD files, GraphiQL's
 * UMD bundle (which includes the graphql-ws client for subscriptions) and its stylesheet, plus a
 * small boot script of ours. Nothing is loaded from a CDN, and the page's Content-Security-Policy
 * tells the browser to refuse anything that is not from this gateway.
 */
export interface GraphiqlAsset {
  /** Name under `<mount>/assets/`. */
  name: string;
  /** Absolute path of a file in node_modules, or the text itself. */
  file?: string;
  text?: string;
  type: string;
}

export function graphiqlAssets(): GraphiqlAsset[] {
  const require = createRequire(import.meta.url);
  const root = (pkg: string) => dirname(require.resolve(`${pkg}/package.json`));
  return [
    { name: 'react.production.min.js', file: join(root('react'), 'umd/react.production.min.js'), type: 'text/javascript' },
    { name: 'react-dom.production.min.js', file: join(root('react-dom'), 'umd/react-dom.production.min.js'), type: 'text/javascript' },
    { name: 'graphiql.min.js', file: join(root('graphiql'), 'graphiql.min.js'), type: 'text/javascript' },
    { name: 'graphiql.min.css', file: join(root('graphiql'), 'graphiql.min.css'), type: 'text/css' },
    { name: 'boot.js', text: BOOT_SCRIPT, type: 'text/javascript' },
  ];
}

const DEFAULT_QUERY = `# codex-lb admin API. Press the play button (Ctrl-Enter) to run.
# With admin.tokens configured, put your token in the Headers tab below:
#   { "Authorization": "Bearer <admin token>" }
# (subscriptions send the same headers as graphql-ws connectionParams).

query Overview {
  configStatus { version inSync lastResult { status summary } }
  accounts { id status unavailableReason inFlight cooldown { until reason } }
  usage(range: { preset: TODAY }, groupBy: [KEY, MODEL]) {
    totals { requests totalTokens costUsd }
    rows { group { keyId model } totals { requests totalTokens costUsd } }
  }
}

# Live: switch to this one and run it to watch requests as they end.
subscription Live {
  requestCompleted { requestId keyId accountId model status usage { inputTokens outputTokens } costUsd latencyMs }
}
`;

/**
 * Runs after the three bundles. The endpoint is derived from the page's own location, so the
 * page works on any host and port the gateway listens on, and subscriptions go to the same
 * path over ws:// or wss://.
 */
const BOOT_SCRIPT = `(function () {
  'use strict';
  var endpoint = window.location.origin + window.location.pathname.replace(/\\/+$/, '');
  var fetcher = GraphiQL.createFetcher({
    url: endpoint,
    subscriptionUrl: endpoint.replace(/^http/, 'ws')
  });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: ${JSON.stringify(DEFAULT_QUERY)},
    defaultHeaders: '{\\n  "Authorization": "Bearer <admin token, when admin.tokens is set>"\\n}',
    defaultEditorToolsVisibility: 'headers',
    isHeadersEditorEnabled: true
  }));
})();
`;

export function graphiqlHtml(assetBase: string): string {
  const asset = (name: string) => `${assetBase}/${name}`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>codex-lb · GraphiQL</title>
  <link rel="stylesheet" href="${asset('graphiql.min.css')}">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="${asset('react.production.min.js')}"></script>
  <script src="${asset('react-dom.production.min.js')}"></script>
  <script src="${asset('graphiql.min.js')}"></script>
  <script src="${asset('boot.js')}"></script>
</body>
</html>
`;
}

/** GraphiQL sets inline styles, hence 'unsafe-inline' for styles only. */
export function graphiqlCsp(host: string | undefined): string {
  return sameOriginCsp(host, { inlineStyles: true });
}
