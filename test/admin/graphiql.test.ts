import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWithModels } from '../helpers/temp-config.js';
import { AdminHarness } from './admin-harness.js';

/** Hosts that would mean the page loads something from the internet. */
const CDN_HOSTS = /(unpkg\.com|jsdelivr\.net|cdnjs\.cloudflare\.com|esm\.sh|fonts\.googleapis\.com|fonts\.gstatic\.com|embed\.graphql\.com|apollographql\.com)/;

describe('GraphiQL on GET /graphql', () => {
  let harness: AdminHarness;
  beforeAll(async () => {
    harness = await AdminHarness.start(configWithModels(['alpha']));
  });
  afterAll(async () => {
    await harness.close();
  });

  it('serves a page for browsers whose every resource is local, and those resources', async () => {
    const res = await fetch(harness.graphqlUrl, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('GraphiQL');
    expect(html).not.toMatch(/https?:\/\//);
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBe(5);
    for (const ref of refs) {
      expect(ref.startsWith('/graphql/assets/')).toBe(true);
      const asset = await fetch(`${harness.gateway.url}${ref}`);
      expect(asset.status, ref).toBe(200);
      const body = await asset.text();
      expect(body.length, ref).toBeGreaterThan(100);
      expect(body, ref).not.toMatch(CDN_HOSTS);
      if (ref.endsWith('.css')) {
        expect(asset.headers.get('content-type')).toContain('text/css');
        // Fonts and icons are inlined; no url() points anywhere but data:.
        expect([...body.matchAll(/url\(\s*["']?([^"')]+)/g)].every((m) => m[1]!.startsWith('data:'))).toBe(true);
      } else {
        expect(asset.headers.get('content-type')).toContain('javascript');
      }
      // Our own boot script has no URL at all: it derives the endpoint from the page.
      if (ref.endsWith('boot.js')) expect(body).not.toMatch(/https?:|wss?:\/\//);
    }
  });

  it('pins the page to this origin with a Content-Security-Policy', async () => {
    const res = await fetch(harness.graphqlUrl, { headers: { accept: 'text/html' } });
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/127\.0\.0\.1:\d+/);
  });

  it('configures the fetcher for HTTP and graphql-ws on the same path, with a headers editor for the token', async () => {
    const boot = await (await fetch(`${harness.graphqlUrl}/assets/boot.js`)).text();
    expect(boot).toContain('subscriptionUrl');
    expect(boot).toContain('isHeadersEditorEnabled: true');
    expect(boot).toContain('Authorization');
    const bundle = await (await fetch(`${harness.graphqlUrl}/assets/graphiql.min.js`)).text();
    // The bundle carries its own graphql-ws client (subscriptions need nothing else).
    expect(bundle).toContain('graphql-transport-ws');
  });

  it('leaves non-browser GETs to Apollo and unknown assets to the 404 handler', async () => {
    const json = await fetch(harness.graphqlUrl, { headers: { accept: 'application/json' } });
    expect(json.headers.get('content-type')).not.toContain('text/html');
    expect((await fetch(`${harness.graphqlUrl}/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${harness.graphqlUrl}/assets/..%2Fpackage.json`)).status).toBe(404);
  });
});
