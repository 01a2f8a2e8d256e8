import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { resolveChromium } from '../../stack/chromium';

/** Where browser tests leave their screenshots (gitignored; CI keeps them as artefacts). */
export const TEST_OUTPUT = path.join(__dirname, '..', '..', 'test-output');

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions of the page's scripts, and what its Content-Security-Policy refused: a console bug, whatever the screen shows. */
  pageErrors: string[];
  /** Saves a screenshot of the whole page (or of one part of it) as `{dir}/{name}.png`; returns its path. */
  screenshot(name: string, part?: Locator): Promise<string>;
  close(): Promise<void>;
}

/**
 * Headless Chromium (Debian's package, found by resolveChromium: playwright can't download browsers
 * here) with one page at the console's target size, 1280×800.
 */
export async function openBrowser(options: { screenshotDir: string; origin?: string }): Promise<BrowserSession> {
  const browser = await chromium.launch({ executablePath: resolveChromium({ explicitPath: process.env.CHROMIUM_PATH }), args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'UTC' });
  if (options.origin) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: options.origin });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(`${error.name}: ${error.message}`));
  // A resource the console's Content-Security-Policy refused is a console bug too (api/console.ts).
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) pageErrors.push(`CSP: ${message.text()}`);
  });
  fs.mkdirSync(options.screenshotDir, { recursive: true });
  return {
    browser,
    context,
    page,
    pageErrors,
    async screenshot(name, part) {
      const file = path.join(options.screenshotDir, `${name}.png`);
      if (part) await part.screenshot({ path: file });
      else await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    close: () => browser.close(),
  };
}

/**
 * What every console screen must be, checked after each test of a file: no uncaught script error, and
 * nothing cut off or needing sideways scrolling at 1280×800. `session` is read when the check runs
 * (the file opens its browser in beforeAll).
 */
export function expectSoundScreens(session: () => BrowserSession | undefined): void {
  afterEach(async () => {
    const ui = session();
    if (!ui) throw new Error('the browser was not opened: see beforeAll');
    expect(ui.pageErrors).toEqual([]);
    expect(await ui.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1280);
  });
}
