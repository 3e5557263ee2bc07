import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCodexBackend } from '../fakes/codex-backend.js';
import { FakeOAuthServer, type SeededAccount } from '../fakes/oauth-server.js';
import { waitFor } from '../helpers/wait.js';
import { ClusterServices, reportSkip, SERVICES_SET } from './cluster-services.js';
import { InstanceProcess } from './instance-process.js';

/**
 * ChatGPT seats in front of two gateway processes: an access token about to expire is refreshed
 * once for the cluster, not once per instance (the fake OAuth server rotates refresh tokens and
 * refuses a reused one, as the real one does), and both instances go on with the new token.
 */
reportSkip('the cluster token refresh suite');

const seatYaml = (id: string, seat: SeededAccount, backend: FakeCodexBackend, oauth: FakeOAuthServer) =>
  `  - id: ${id}
    kind: chatgpt
    baseUrl: "${backend.baseUrl}"
    tokenUrl: "${oauth.tokenUrl}"
    tokens: { access: "${seat.accessToken}", refresh: "${seat.refreshToken}", idToken: "${seat.idToken}", accountId: "${seat.accountId}" }
`;

describe.skipIf(!SERVICES_SET)('token refresh across two gateway processes', () => {
  let services: ClusterServices;
  let oauth: FakeOAuthServer;
  let backend: FakeCodexBackend;
  let a: InstanceProcess;
  let b: InstanceProcess;
  const seats = new Map<string, SeededAccount>();

  const ask = (instance: InstanceProcess, model: string) =>
    instance.client('any-key').chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
  /** The access tokens the backend was called with for a ChatGPT account, in order. */
  const tokensUsed = (accountId: string) =>
    backend.requests.filter((r) => r.accountId === accountId).map((r) => String(r.headers.authorization).slice('Bearer '.length));

  beforeAll(async () => {
    services = await ClusterServices.open();
    oauth = await FakeOAuthServer.start();
    backend = await FakeCodexBackend.start(oauth);
    // Two minutes left: inside the five-minute margin, so the first request on either instance refreshes.
    for (const id of ['together', 'one-after-other']) seats.set(id, oauth.seed(`acct-${id}`, 'plus', 120));
    const yaml = `server: { host: 127.0.0.1, port: 0 }
${services.yaml()}accounts:
${[...seats].map(([id, seat]) => seatYaml(id, seat, backend, oauth)).join('')}models:
  - { id: model-together, upstreamModel: gpt-5.3-codex, accounts: [together] }
  - { id: model-sequential, upstreamModel: gpt-5.3-codex, accounts: [one-after-other] }
`;
    a = await InstanceProcess.start('refresh-a', yaml);
    b = await InstanceProcess.start('refresh-b', yaml);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all([backend?.close(), oauth?.close()]);
    await services?.dispose();
  });

  it('requests on both instances at once: one refresh, every request served with the new token', async () => {
    // A slow token endpoint makes both instances want the refresh while the first one is running.
    oauth.delayMs = 400;
    const answers = await Promise.all([ask(a, 'model-together'), ask(b, 'model-together'), ask(a, 'model-together'), ask(b, 'model-together')]);
    oauth.delayMs = 0;
    expect(answers.map((r) => r.choices[0]?.message.content)).toEqual(Array(4).fill('Hello from acct-together'));
    expect(oauth.refreshes.get('acct-together')).toBe(1);
    const issued = oauth.accessTokensOf('acct-together');
    expect(issued).toHaveLength(2);
    expect(tokensUsed('acct-together')).toEqual(Array(4).fill(issued[1]));
    const refreshedBy = [a, b].filter((instance) => instance.messages().includes("account 'together': access token refreshed"));
    const adoptedBy = [a, b].filter((instance) => instance.messages().includes("account 'together': using the tokens another instance refreshed"));
    expect(refreshedBy).toHaveLength(1);
    expect(adoptedBy.map((i) => i.id)).toEqual([a, b].filter((i) => i !== refreshedBy[0]).map((i) => i.id));
  });

  it('the quota one instance reads from the backend is the quota every instance routes by', async () => {
    backend.quota('acct-together').primaryUsed = 42;
    await ask(a, 'model-together');
    type Quota = { accounts: Array<{ quota: Array<{ name: string; usedPercent: number | null }> }> };
    const onB = await waitFor(async () => {
      const windows = (await b.gql<Quota>('{ accounts(id: "together") { quota { name usedPercent } } }')).accounts[0]?.quota ?? [];
      return windows.find((w) => w.name === 'primary' && w.usedPercent === 42) ?? null;
    }, { what: "B to show the quota A read" });
    expect(onB).toEqual({ name: 'primary', usedPercent: 42 });
  });

  it('A refreshes first, B later: B takes the stored tokens instead of spending its refresh token again', async () => {
    const first = await ask(a, 'model-sequential');
    expect(first.choices[0]?.message.content).toBe('Hello from acct-one-after-other');
    expect(oauth.refreshes.get('acct-one-after-other')).toBe(1);
    await waitFor(() => b.messages().includes("account 'one-after-other': using the tokens another instance refreshed"), { what: 'B to adopt the refreshed tokens' });
    const second = await ask(b, 'model-sequential');
    expect(second.choices[0]?.message.content).toBe('Hello from acct-one-after-other');
    expect(oauth.refreshes.get('acct-one-after-other')).toBe(1);
    expect(oauth.refreshRequests).toBe(2);
    const issued = oauth.accessTokensOf('acct-one-after-other');
    expect(tokensUsed('acct-one-after-other')).toEqual([issued[1], issued[1]]);
    // Nothing secret in either instance's log.
    for (const instance of [a, b]) for (const token of [...issued, seats.get('one-after-other')!.refreshToken]) expect(instance.log).not.toContain(token);
  });
});
