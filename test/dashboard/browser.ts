import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { waitFor } from '../helpers/wait.js';

/**
 * Debian's Chromium driven by playwright-core (no downloaded browser): a fresh profile per
 * session, every background service that could phone home switched off, and a log of every URL
 * any page of the session asked for, WebSockets included, so a test can prove that nothing left
 * the machine.
 *
 * Code run inside pages is passed as strings: this project's TypeScript has no DOM library (it
 * would change the Node types of fetch and friends for every test).
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where screenshots go (gitignored; `.ci/run` keeps the folder as CI output). */
export const ARTIFACTS_DIR = join(process.cwd(), 'test-artifacts');

export function chromiumAvailable(): boolean {
  const available = existsSync(CHROMIUM_PATH);
  if (!available) {
    console.log(`[test/dashboard] ${CHROMIUM_PATH} is missing: skipping the browser tests (install it with: apt-get install -y chromium)`);
  }
  return available;
}

export class BrowserSession {
  /** Every URL requested by any page, in order (http(s) and ws(s)). */
  readonly urls: string[] = [];
  /** Uncaught exceptions and console errors of the pages. */
  readonly pageErrors: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    private readonly profile: string,
  ) {
    context.on('request', (request) => this.urls.push(request.url()));
  }

  static async launch(): Promise<BrowserSession> {
    const profile = mkdtempSync(join(tmpdir(), 'codex-lb-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1440, height: 1000 },
      colorScheme: 'light',
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    return new BrowserSession(context, profile);
  }

  async newPage(): Promise<Page> {
    const page = await this.context.newPage();
    page.on('websocket', (socket) => this.urls.push(socket.url()));
    page.on('pageerror', (error) => this.pageErrors.push(`${page.url()}: ${error.message}`));
    return page;
  }

  /** URLs that are not on `origin` (http or ws), e.g. a CDN or a browser service. */
  foreignUrls(origin: string): string[] {
    const own = new URL(origin);
    return this.urls.filter((raw) => {
      const url = new URL(raw);
      return url.host !== own.host || !['http:', 'ws:'].includes(url.protocol);
    });
  }

  /** A full-page screenshot from the top, without a focus ring or a hover left by a click. */
  async screenshot(page: Page, name: string): Promise<string> {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const path = join(ARTIFACTS_DIR, name);
    await page.evaluate('document.activeElement?.blur?.(); window.scrollTo(0, 0)');
    await page.mouse.move(0, 0);
    await page.screenshot({ path, fullPage: true });
    return path;
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/** Polls a selector's text until `accept` says yes; returns it. */
export async function waitForText(page: Page, selector: string, accept: (text: string) => boolean, what = selector): Promise<string> {
  return waitFor(
    async () => {
      const text = (await page.locator(selector).first().textContent({ timeout: 1000 })) ?? '';
      return accept(text) ? text : null;
    },
    { timeoutMs: 20_000, intervalMs: 100, what: `${what} on the page` },
  );
}
