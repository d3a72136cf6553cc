// The browser side of the dashboard's end-to-end tests: Debian's Chromium driven by
// playwright-core (no browser download), and screenshots. Every test saves one into an
// artifacts folder (TUTTI_TEST_ARTIFACTS, default <tmp>/tutti-dashboard-artifacts); with
// TUTTI_UPDATE_SCREENSHOTS=1 the ones the README shows are also written to docs/.

import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../helpers/tutti.js';

export const CHROMIUM = process.env.TUTTI_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
/** what a headless Chromium needs in a container (no sandbox, no GPU, no background traffic) */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export const ARTIFACTS = process.env.TUTTI_TEST_ARTIFACTS ?? path.join(os.tmpdir(), 'tutti-dashboard-artifacts');
const UPDATE_DOCS = process.env.TUTTI_UPDATE_SCREENSHOTS === '1';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Saves a screenshot of the page as <artifacts>/<name>.png (and docs/<docsName>.png when refreshing the README's). */
export async function snap(page: Page, name: string, docsName?: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (UPDATE_DOCS && docsName) await page.screenshot({ path: path.join(ROOT, 'docs', `${docsName}.png`), fullPage: false });
  return file;
}
