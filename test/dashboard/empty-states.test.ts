import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';
import { TempConfig } from '../helpers/temp-config.js';
import { BrowserSession, chromiumAvailable, waitForText } from './browser.js';

/**
 * A fresh gateway where nothing can serve (a ChatGPT seat that never signed in, an OpenAI account
 * whose key variable is unset, one disabled) and keys are off: the page says why for each account
 * and how to fix it, explains the empty feed and the missing keys, and needs no admin token
 * (loopback, no admin.tokens).
 */
const CONFIG = `server: { host: 127.0.0.1, port: 0 }
storage: { url: "sqlite::memory:" }
accounts:
  - { id: codex-seat, kind: chatgpt, authFile: /nonexistent/codex-lb-test/auth.json }
  - { id: openai-main, kind: openai, baseUrl: "http://127.0.0.1:9/v1", apiKey: "\${OPENAI_API_KEY:-}" }
  - { id: spare, kind: openai, baseUrl: "http://127.0.0.1:9/v1", apiKey: spare-key, enabled: false }
models:
  - { id: gpt-test }
`;

describe.skipIf(!chromiumAvailable())('dashboard empty states in Chromium', () => {
  let config: TempConfig;
  let gateway: Gateway;
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    config = new TempConfig(CONFIG);
    gateway = await startGateway({ configPath: config.path, watch: false, logger: createLogger({ level: 'silent' }), env: {} });
    browser = await BrowserSession.launch();
    page = await browser.newPage();
    await page.goto(`${gateway.url}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    config?.remove();
  });

  it('says that no account can serve, why for each one, and how to fix it', async () => {
    const notice = await waitForText(page, '[data-notice="no-accounts"]', (text) => text.includes('No account can serve requests'), 'no-accounts notice');
    expect(notice).toContain('codex-seat');
    expect(notice).toContain('auth file /nonexistent/codex-lb-test/auth.json not found');
    expect(notice).toContain('codex login');
    expect(notice).toContain('no API key (apiKey is empty)');
    expect(notice).toContain('enabled: true');
    expect(await page.locator('#accounts').textContent()).toContain('0 of 3 available');
    // The disabled account does not count among the model's accounts.
    expect(await page.locator('#models tr[data-model="gpt-test"]').textContent()).toContain('0 of 2');
    expect(await page.locator('#token-dialog').getAttribute('open')).toBeNull();
  });

  it('explains the empty feed and the keys being off', async () => {
    await waitForText(page, '#feed', (text) => text.includes('No requests yet'), 'empty feed');
    expect(await page.locator('#feed pre').textContent()).toContain(`${gateway.url}/v1/chat/completions`);
    expect(await page.locator('#keys').textContent()).toContain('API keys are off');
    await waitForText(page, '#clients', (text) => text.includes('No requests in this range'), 'empty by-client table');
    await waitForText(page, '#overview', (text) => text.includes('No requests in this range yet'), 'empty chart');
  });

  it('saves light and dark screenshots of the empty page, and loaded nothing from elsewhere', async () => {
    await browser.screenshot(page, 'dashboard-empty-light.png');
    await page.emulateMedia({ colorScheme: 'dark' });
    await browser.screenshot(page, 'dashboard-empty-dark.png');
    expect(browser.foreignUrls(gateway.url)).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
