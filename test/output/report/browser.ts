// Headless Chromium for the report tests and the README screenshot: Debian's chromium through
// playwright-core, launched once per process with a fresh temporary profile (playwright's
// --user-data-dir) and these flags; each report opens in its own context in which every
// request that is not the report file is aborted (the report must need no network).

import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env['CARPDUMP_CHROMIUM'] ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function haveChromium(): boolean {
  return existsSync(CHROMIUM);
}

let shared: Promise<Browser> | undefined;

/** Closes the browser of this process, if one was launched. */
export async function closeBrowser(): Promise<void> {
  const b = shared;
  shared = undefined;
  if (b) await (await b).close();
}

export interface OpenReport {
  readonly page: Page;
  readonly context: BrowserContext;
  /** URLs the page tried to fetch besides the report itself (all aborted). */
  readonly blocked: string[];
  close(): Promise<void>;
}

/** Opens `file` (an HTML report) with the network disabled; `dark` emulates prefers-color-scheme: dark. */
export async function openReport(file: string, o: { width?: number; height?: number; dark?: boolean } = {}): Promise<OpenReport> {
  shared ??= chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  const browser = await shared;
  const context = await browser.newContext({
    viewport: { width: o.width ?? 1280, height: o.height ?? 900 },
    colorScheme: o.dark ? 'dark' : 'light',
    offline: true,
  });
  const url = pathToFileURL(file).href;
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    blocked.push(u);
    return route.abort();
  });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load' });
  return { page, blocked, context, close: () => context.close() };
}
