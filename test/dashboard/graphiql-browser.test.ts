import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { BrowserSession, chromiumAvailable } from './browser.js';
import { ADMIN_TOKEN, ALPHA_KEY, DashboardGateway } from './dashboard-gateway.js';

/**
 * GraphiQL (GET /graphql in a browser) served offline by the gateway, driven in Chromium: the
 * admin token in its Headers tab, a query over HTTP and a subscription over graphql-ws, and no
 * request to anything but the gateway.
 */
/** Sets a GraphiQL editor's text through its CodeMirror instance (what typing would do). */
async function setEditor(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector).waitFor({ timeout: 20_000 });
  await page.evaluate(`document.querySelector(${JSON.stringify(selector)}).CodeMirror.setValue(${JSON.stringify(text)})`);
}

const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror';
const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';
/** The result pane's text (its CodeMirror value: innerText would carry the fold markers). */
const response = (page: Page) => page.evaluate<string>("document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror.getValue() ?? ''");

describe.skipIf(!chromiumAvailable())('GraphiQL in Chromium', () => {
  let gw: DashboardGateway;
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    gw = await DashboardGateway.start();
    browser = await BrowserSession.launch();
    page = await browser.newPage();
    await page.goto(`${gw.origin}/graphql`);
    await setEditor(page, HEADERS_EDITOR, JSON.stringify({ Authorization: `Bearer ${ADMIN_TOKEN}` }));
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('runs a query with the token from the Headers tab', async () => {
    await setEditor(page, QUERY_EDITOR, '{ configStatus { version inSync } keys { id name } }');
    // GraphiQL takes editor changes after a short debounce: run until the answer has the data.
    const text = await waitFor(
      async () => {
        await page.click('.graphiql-execute-button');
        const answer = await response(page);
        return answer.includes('"configStatus"') ? answer : null;
      },
      { timeoutMs: 20_000, intervalMs: 500, what: 'the query result in GraphiQL' },
    );
    const data = JSON.parse(text) as { data: { configStatus: { version: number; inSync: boolean }; keys: Array<{ id: string }> } };
    expect(data.data.configStatus).toEqual({ version: 1, inSync: true });
    expect(data.data.keys.map((k) => k.id)).toEqual(['alpha', 'beta']);
  });

  it('runs a subscription over graphql-ws and shows a /v1 request as it ends', async () => {
    const subscription = 'subscription { requestCompleted { keyId model status } }';
    await setEditor(page, QUERY_EDITOR, subscription);
    // GraphiQL stores the query once its debounce took the edit: from then on, Run runs it.
    await waitFor(() => page.evaluate<boolean>(`localStorage.getItem('graphiql:query') === ${JSON.stringify(subscription)}`), { timeoutMs: 20_000, what: 'GraphiQL to take the edit' });
    await page.click('.graphiql-execute-button');
    const alpha = gw.client(ALPHA_KEY);
    // The subscription starts a moment after the click: send until one request shows up.
    const text = await waitFor(
      async () => {
        await alpha.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
        const answer = await response(page);
        return answer.includes('"requestCompleted"') ? answer : null;
      },
      { timeoutMs: 20_000, intervalMs: 300, what: 'a requestCompleted event in GraphiQL' },
    );
    expect(JSON.parse(text)).toEqual({ data: { requestCompleted: { keyId: 'alpha', model: 'gpt-test', status: 200 } } });
    expect(browser.urls.some((url) => url.startsWith(`${gw.origin.replace(/^http/, 'ws')}/graphql`))).toBe(true);
  });

  it('loaded everything from the gateway itself', () => {
    expect(browser.urls.some((url) => url.includes('/graphql/assets/graphiql.min.js'))).toBe(true);
    expect(browser.foreignUrls(gw.origin)).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
