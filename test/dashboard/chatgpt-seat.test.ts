import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatgptHarness } from '../chatgpt/chatgpt-harness.js';
import { waitFor } from '../helpers/wait.js';
import { BrowserSession, chromiumAvailable, waitForText } from './browser.js';

/**
 * A ChatGPT seat (fake Codex backend and OAuth server) on the dashboard: its 5-hour and weekly
 * quota windows as bars once the backend reported them, then, when the seat's usage limit is hit,
 * the cooldown with its countdown and a Clear cooldown button that offers it again.
 */
const SEAT = 'seat-1';
const row = `#accounts tr[data-account-id="${SEAT}"]`;
const ask = (harness: ChatgptHarness) => harness.client.chat.completions.create({ model: 'gpt-5.3-codex', messages: [{ role: 'user', content: 'hi' }] });

describe.skipIf(!chromiumAvailable())('dashboard with a ChatGPT seat in Chromium', () => {
  let harness: ChatgptHarness;
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    harness = await ChatgptHarness.start({ seats: [{ id: SEAT, plan: 'pro' }] });
    const quota = harness.backend.quota(harness.seeded.get(SEAT)!.accountId);
    quota.primaryUsed = 42;
    quota.secondaryUsed = 87;
    await ask(harness);
    browser = await BrowserSession.launch();
    page = await browser.newPage();
    await page.goto(`${harness.url}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('shows the quota windows the backend reported as bars', async () => {
    await waitFor(async () => (await page.locator(`${row} .limit`).count()) === 2, { timeoutMs: 20_000, what: 'two quota windows' });
    const windows = await page.locator(`${row} .limit`).allTextContents();
    expect(windows[0]).toMatch(/^5h.*42% used.*resets in 4h 5\dm/);
    expect(windows[1]).toMatch(/^weekly.*87% used.*resets in 6d 23h/);
    expect(await page.locator(`${row} .meter-fill`).evaluateAll((fills) => fills.map((fill) => fill.getAttribute('class')))).toEqual(['meter-fill ok', 'meter-fill warn']);
  });

  it('shows the cooldown after a usage limit, and Clear cooldown offers the seat again', async () => {
    const quota = harness.backend.quota(harness.seeded.get(SEAT)!.accountId);
    quota.exhaustedUntil = Math.floor(Date.now() / 1000) + 3600;
    await expect(ask(harness)).rejects.toMatchObject({ status: 429 });
    quota.exhaustedUntil = null;

    await waitFor(async () => (await page.locator(row).getAttribute('data-status')) === 'COOLING_DOWN', { timeoutMs: 20_000, what: 'the seat cooling down' });
    await waitForText(page, `${row} [data-countdown]`, (text) => /^ends in (59m|1h)/.test(text), 'cooldown countdown');
    expect(await page.locator('[data-notice="no-accounts"]').textContent()).toContain('Clear cooldown');
    await browser.screenshot(page, 'dashboard-chatgpt-cooldown.png');

    await page.click(`${row} button:has-text("Clear cooldown")`);
    await waitFor(async () => (await page.locator(row).getAttribute('data-status')) === 'AVAILABLE', { timeoutMs: 20_000, what: 'the seat available again' });
    await ask(harness);
    expect(browser.foreignUrls(harness.url)).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
