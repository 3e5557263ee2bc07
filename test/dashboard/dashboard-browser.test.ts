import { statSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { BrowserSession, chromiumAvailable, waitForText } from './browser.js';
import { ADMIN_TOKEN, ALPHA_KEY, BETA_KEY, DashboardGateway } from './dashboard-gateway.js';

/**
 * The dashboard in headless Chromium against a real gateway: the admin token prompt, requests
 * of two keys through /v1 showing up live (feed, per-key table, totals, by client) without a
 * reload, a gateway.yaml edit changing the version on the page, a rejected edit with its
 * line:col, pause/resume from the page, screenshots in light and dark, and not one request to
 * anything but the gateway itself.
 */
const messages = [{ role: 'user' as const, content: 'hi' }];

describe.skipIf(!chromiumAvailable())('dashboard in Chromium', () => {
  let gw: DashboardGateway;
  let browser: BrowserSession;
  let page: Page;

  const row = (table: string, attribute: string, id: string) => `#${table} tr[${attribute}="${id}"]`;
  const cell = (table: string, attribute: string, id: string, column: string) => `${row(table, attribute, id)} td[data-col="${column}"]`;
  const feedRows = (keyId: string) => page.locator(`#feed tr[data-key-id="${keyId}"]`);

  beforeAll(async () => {
    gw = await DashboardGateway.start();
    browser = await BrowserSession.launch();
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('asks for the admin token, keeps it for the session only, then shows the running config', async () => {
    await page.goto(`${gw.origin}/`);
    await page.locator('#token-dialog[open]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#token-reason').textContent()).toContain('admin token required');
    await browser.screenshot(page, 'dashboard-token-prompt.png');

    await page.fill('#token-input', ADMIN_TOKEN);
    await page.click('#token-dialog button[type="submit"]');
    await waitForText(page, '#config-version', (text) => text === 'v1', 'config version v1');
    await waitForText(page, '#connection', (text) => text === 'Live', 'live connection');
    expect(await page.locator('#token-dialog').getAttribute('open')).toBeNull();
    const storage = await page.evaluate<{ session: string[]; local: number; cookie: string }>('({ session: Object.values(sessionStorage), local: localStorage.length, cookie: document.cookie })');
    expect(storage).toEqual({ session: [ADMIN_TOKEN], local: 0, cookie: '' });
    expect(await page.locator('#config').textContent()).toContain(gw.config.path);
    expect(await page.locator(row('accounts', 'data-account-id', 'acct-a')).getAttribute('data-status')).toBe('AVAILABLE');
    expect(await page.locator(row('keys', 'data-key-id', 'alpha')).textContent()).toContain('Team Alpha');
  });

  it('shows requests of two keys live in the feed, the per-key table and the totals, without a reload', async () => {
    await page.evaluate("window.loadedOnce = 'same document'");
    const alpha = gw.client(ALPHA_KEY);
    const beta = gw.client(BETA_KEY);
    await alpha.chat.completions.create({ model: 'gpt-test', messages });
    const stream = await alpha.chat.completions.create({ model: 'gpt-test', messages, stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) void chunk;
    await beta.responses.create({ model: 'gpt-test', input: 'hi' });
    // A curl request of the beta key, for the by-client table.
    const curl = await fetch(`${gw.origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BETA_KEY}`, 'content-type': 'application/json', 'user-agent': 'curl/8.5.0' },
      body: JSON.stringify({ model: 'gpt-test', messages }),
    });
    expect(curl.status).toBe(200);

    await waitFor(async () => (await feedRows('alpha').count()) === 2 && (await feedRows('beta').count()) === 2, { timeoutMs: 20_000, what: 'four requests in the feed' });
    for (const text of await feedRows('alpha').allTextContents()) expect(text).toContain('Team Alpha');
    for (const text of await feedRows('beta').allTextContents()) expect(text).toContain('Team Beta');
    expect(await feedRows('beta').first().textContent()).toContain('curl');
    // Newest first: the curl request ended last.
    expect(await page.locator('#feed tbody tr').first().textContent()).toContain('curl');

    await waitForText(page, cell('keys', 'data-key-id', 'alpha', 'requests'), (text) => text === '2', 'alpha: 2 requests');
    await waitForText(page, cell('keys', 'data-key-id', 'beta', 'requests'), (text) => text === '2', 'beta: 2 requests');
    // 12 input + 7 output tokens per answer of the fake upstream; priced at 2/1/10 USD per 1M.
    expect(await page.locator(cell('keys', 'data-key-id', 'alpha', 'tokens')).textContent()).toBe('38');
    expect(await page.locator(cell('keys', 'data-key-id', 'alpha', 'cost')).textContent()).toBe('$0.00018');
    await waitForText(page, '[data-card="requests"] .card-value', (text) => text === '4', 'total requests 4');
    await waitForText(page, cell('clients', 'data-client', 'curl', 'requests'), (text) => text === '1', 'one curl request');
    await waitForText(page, cell('clients', 'data-client', 'OpenAI SDK', 'requests'), (text) => text === '3', 'three OpenAI SDK requests');
    const served = Number(await page.locator(cell('accounts', 'data-account-id', 'acct-a', 'requests')).textContent()) + Number(await page.locator(cell('accounts', 'data-account-id', 'acct-b', 'requests')).textContent());
    expect(served).toBe(4);
    // The alpha key's request window counts down from 100 as its requests are charged.
    await waitForText(page, `${row('keys', 'data-key-id', 'alpha')} [data-limit="team:REQUESTS"]`, (text) => text.includes('98 of 100 left'), 'alpha requests remaining');

    // The last hour is drawn per minute from the request log; the totals are the same report's.
    await page.click('#ranges button[data-range="1h"]');
    await waitForText(page, '#overview .panel-head .note', (text) => text.startsWith('Last hour'), 'last-hour range');
    await waitFor(async () => (await page.locator('#overview svg rect.fill-ok').count()) > 0, { timeoutMs: 20_000, what: 'bars of the last hour' });
    const minutes = await page.locator('#overview svg g.bar').count();
    expect(minutes).toBeGreaterThanOrEqual(60);
    expect(minutes).toBeLessThanOrEqual(121);
    expect(await page.locator('[data-card="requests"] .card-value').textContent()).toBe('4');
    await page.click('#ranges button[data-range="24h"]');
    await waitForText(page, '#overview .panel-head .note', (text) => text.startsWith('Last 24 hours'), '24-hour range');

    expect(await page.evaluate<string>('window.loadedOnce')).toBe('same document');
    expect(browser.urls.filter((url) => url === `${gw.origin}/`)).toHaveLength(1);
  });

  it('follows gateway.yaml edits: a new version, then a rejected file with its line:col', async () => {
    gw.edit({ betaName: 'Team Beta (renamed)' });
    await waitForText(page, '#config-version', (text) => text === 'v2', 'config version v2');
    await waitForText(page, row('keys', 'data-key-id', 'beta'), (text) => text.includes('Team Beta (renamed)'), 'renamed key');
    expect(await page.locator('#config [data-reload]').first().getAttribute('data-reload')).toBe('APPLIED');

    gw.edit({ betaName: 'Team Beta (renamed)', extra: 'routing: { strategy: round_robin }\n' });
    await waitForText(page, '#config', (text) => text.includes('file has errors'), 'rejected file');
    const place = await page.locator('#config .issue-place').first().textContent();
    expect(place).toMatch(/^\d+:\d+$/);
    expect(await page.locator('[data-notice="out-of-sync"]').textContent()).toContain('Version 2 keeps serving');
    expect(await page.locator('#config-version').textContent()).toBe('v2');
    await browser.screenshot(page, 'dashboard-config-rejected.png');

    gw.edit({ betaName: 'Team Beta (renamed)' });
    await waitForText(page, '#config', (text) => text.includes('in sync with the file'), 'file fixed');
  });

  it('pauses and resumes an account from the page', async () => {
    await page.click(`${row('accounts', 'data-account-id', 'acct-a')} button:has-text("Pause")`);
    await waitFor(async () => (await page.locator(row('accounts', 'data-account-id', 'acct-a')).getAttribute('data-status')) === 'PAUSED', { timeoutMs: 20_000, what: 'acct-a paused' });
    const before = gw.a.requests.length;
    const alpha = gw.client(ALPHA_KEY);
    for (let i = 0; i < 2; i++) await alpha.chat.completions.create({ model: 'gpt-test', messages });
    expect(gw.a.requests.length).toBe(before);

    // A click held down while live updates arrive (the two requests' usage) still counts: the
    // page does not rebuild the button between its mousedown and mouseup.
    const resume = page.locator(`${row('accounts', 'data-account-id', 'acct-a')} button:has-text("Resume")`);
    // Drawn once the pause is known and its mutation no longer busy.
    // (Live updates redraw the panel meanwhile: the box is taken from a moment the button was there.)
    const box = await waitFor(async () => ((await resume.count()) === 1 && (await resume.isEnabled()) ? await resume.boundingBox({ timeout: 1000 }).catch(() => null) : null), {
      timeoutMs: 20_000,
      what: 'the Resume button',
    });
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    for (let i = 0; i < 2; i++) await alpha.chat.completions.create({ model: 'gpt-test', messages });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await page.mouse.up();
    await waitFor(async () => (await page.locator(row('accounts', 'data-account-id', 'acct-a')).getAttribute('data-status')) === 'AVAILABLE', { timeoutMs: 20_000, what: 'acct-a available' });
    await waitForText(page, cell('keys', 'data-key-id', 'alpha', 'requests'), (text) => text === '6', 'alpha: 6 requests');
  });

  it('renders in light and dark and saves both as screenshots', async () => {
    const background = () => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    // Toasts of the config edits fade after a few seconds; the screenshots show the page itself.
    await waitFor(async () => (await page.locator('.toast').count()) === 0, { timeoutMs: 20_000, what: 'toasts gone' });
    const light = await background();
    const lightShot = await browser.screenshot(page, 'dashboard-light.png');
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await background()).not.toBe(light);
    const darkShot = await browser.screenshot(page, 'dashboard-dark.png');
    await page.emulateMedia({ colorScheme: 'light' });
    for (const shot of [lightShot, darkShot]) expect(statSync(shot).size).toBeGreaterThan(20_000);
  });

  it('made every request to the gateway itself, and threw no errors', async () => {
    expect(browser.urls.length).toBeGreaterThan(10);
    expect(browser.urls.some((url) => url.startsWith('ws://'))).toBe(true);
    expect(browser.foreignUrls(gw.origin)).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
