import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminHarness } from '../admin/admin-harness.js';
import { configWithModels } from '../helpers/temp-config.js';

/**
 * The dashboard's page and assets over plain HTTP: served at / without the admin token (the page
 * holds no data; the API it calls still wants the token), pinned to this origin by its CSP,
 * every file it loads served by the gateway, and nothing else reachable under its asset path.
 */
const CDN_HOSTS = /(unpkg\.com|jsdelivr\.net|cdnjs\.cloudflare\.com|esm\.sh|fonts\.googleapis\.com|fonts\.gstatic\.com|skypack\.dev)/;
const TOKEN = 'serving-test-admin-token-0123456789';

describe('dashboard page and assets', () => {
  let harness: AdminHarness;
  beforeAll(async () => {
    harness = await AdminHarness.start(configWithModels(['alpha'], `admin: { tokens: ["${TOKEN}"] }\n`));
  });
  afterAll(async () => {
    await harness.close();
  });

  const get = (path: string) => fetch(`${harness.gateway.url}${path}`);

  it('serves the page at / without a token, with a same-origin CSP, while the API still asks for one', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self';");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/127\.0\.0\.1:\d+/);
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toContain(TOKEN);
    expect((await harness.gql('{ configStatus { version } }')).status).toBe(401);
  });

  it('serves every script, style and module import the page needs, none from elsewhere', async () => {
    const html = await (await get('/')).text();
    // What the browser fetches by itself: scripts, stylesheets, icons, images (not the GraphiQL link).
    const pending = [...html.matchAll(/<(?:script|link|img)\b[^>]*\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    const seen = new Set<string>();
    while (pending.length > 0) {
      const ref = pending.pop()!;
      if (seen.has(ref)) continue;
      seen.add(ref);
      expect(ref.startsWith('/dashboard/assets/'), ref).toBe(true);
      const res = await get(ref);
      expect(res.status, ref).toBe(200);
      const type = res.headers.get('content-type') ?? '';
      const body = await res.text();
      expect(body, ref).not.toMatch(CDN_HOSTS);
      if (ref.endsWith('.js')) {
        expect(type, ref).toContain('javascript');
        // ES module imports of our own files, which must resolve to served assets too.
        for (const m of body.matchAll(/from '\.\/([\w-]+\.js)'/g)) pending.push(`/dashboard/assets/${m[1]}`);
        // Our own modules name no URL at all (the SVG namespace is an identifier, never fetched).
        if (!ref.endsWith('graphql-ws.min.js')) expect(body.replaceAll('http://www.w3.org/2000/svg', ''), ref).not.toMatch(/https?:\/\/|wss?:\/\//);
      } else if (ref.endsWith('.css')) {
        expect(type).toContain('text/css');
        expect(body).not.toMatch(/url\(|@import/);
      } else {
        expect(type, ref).toContain('image/svg+xml');
      }
    }
    // The page, its stylesheet, the icon, graphql-ws and every module of the app.
    expect(seen.size).toBeGreaterThan(15);
    expect(seen.has('/dashboard/assets/graphql-ws.min.js')).toBe(true);
    const ws = await (await get('/dashboard/assets/graphql-ws.min.js')).text();
    expect(ws).toContain('graphql-transport-ws');
  });

  it('answers 404 in the OpenAI envelope for anything else under its paths', async () => {
    for (const path of ['/dashboard/assets/nope.js', '/dashboard/assets/tsconfig.json', '/dashboard/assets/..%2F..%2Fpackage.json', '/dashboard/assets/', '/index.html', '/dashboard']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code, path).toBe('unknown_url');
    }
    // The rest of the gateway is untouched by the mount at /.
    expect((await get('/health')).status).toBe(200);
    expect((await get('/v1/models')).status).toBe(200);
  });
});
