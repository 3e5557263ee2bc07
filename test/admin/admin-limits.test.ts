import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWithModels } from '../helpers/temp-config.js';
import { AdminHarness, Feed } from './admin-harness.js';

/** accounts -> models -> accounts ... is a cycle in the schema: a query `depth` fields deep. */
function nested(depth: number): string {
  const fields = Array.from({ length: depth - 1 }, (_, i) => (i % 2 === 0 ? 'accounts' : 'models'));
  return `{ ${fields.map((f) => `${f} {`).join(' ')} id ${'}'.repeat(fields.length)} }`;
}

describe('admin API bounds', () => {
  let harness: AdminHarness;
  beforeAll(async () => {
    harness = await AdminHarness.start(configWithModels(['alpha']));
  });
  afterAll(async () => {
    await harness.close();
  });

  it('accepts queries up to the depth limit and rejects deeper ones over HTTP', async () => {
    const atLimit = await harness.gql(nested(10));
    expect(atLimit.errors).toBeUndefined();
    expect(atLimit.status).toBe(200);
    const deep = await harness.gql(nested(13));
    expect(deep.status).toBe(400);
    expect(deep.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(deep.errors?.[0]?.message).toMatch(/nested 13 levels deep; the limit is 10/);
  });

  it('counts fragments and ignores introspection (GraphiQL loads its schema)', async () => {
    const viaFragments = await harness.gql(`query { accounts { ...A } } fragment A on Account { models { ...M } } fragment M on Model { accounts { models { accounts { models { accounts { models { accounts { models { id } } } } } } } } }`);
    expect(viaFragments.status).toBe(400);
    expect(viaFragments.errors?.[0]?.message).toMatch(/nested 11 levels deep/);
    const introspection = await harness.gql('{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } } } }');
    expect(introspection.status).toBe(200);
  });

  it('applies the depth limit on the socket too', async () => {
    const feed = new Feed(harness.socket(), `subscription { accountEvents { account { models { accounts { models { accounts { models { accounts { models { accounts { id } } } } } } } } } } }`);
    await expect(feed.next()).rejects.toThrow(/nested 11 levels deep/);
  });

  it('bounds page sizes: first must be 1..500', async () => {
    for (const first of [0, 501]) {
      const res = await harness.gql('query($first: Int) { requests(first: $first) { edges { cursor } } }', { first });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toContain('between 1 and 500');
    }
  });

  it('keeps CSRF prevention on: a GET without a preflight header is refused', async () => {
    const res = await fetch(`${harness.graphqlUrl}?query=${encodeURIComponent('{ configStatus { version } }')}`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF|preflight/i);
    const preflighted = await fetch(`${harness.graphqlUrl}?query=${encodeURIComponent('{ configStatus { version } }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(preflighted.status).toBe(200);
  });

  it('answers malformed JSON bodies in GraphQL form', async () => {
    const res = await fetch(harness.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('BAD_REQUEST');
  });
});
