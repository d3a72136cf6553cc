// The web dashboard end to end: a real daemon running a copy of examples/shop (`tutti up`), and
// Debian's Chromium logging in through the link `tutti up` printed, then doing what an
// operator does from the pages: see every service ready, restart a service and see its
// instance replaced, scale one to two, stop one and see the overview and the alert change, run
// the workflow and watch its timeline complete. Each test saves a screenshot (browser.ts).
// Everything waits by polling with a deadline.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '../helpers/tutti.js';
import { hasChromium, launchChromium, snap } from './browser.js';
import { startShop, type Shop } from './shop.js';

const SERVICES = ['catalog', 'inventory', 'orders', 'gateway', 'payments'];

describe.skipIf(!hasChromium)('dashboard (Chromium at /usr/bin/chromium; .ci/run installs it)', () => {
  let shop: Shop;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [shop, browser] = await Promise.all([startShop(), launchChromium()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    page = await context.newPage();
  }, 120_000);

  // what the page looked like when a test failed
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page) await snap(page, `failed-${task.name.split(' ').slice(0, 3).join('-')}`).catch(() => {});
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await shop?.close();
  }, 60_000);

  const text = async (selector: string) => ((await page.locator(selector).first().textContent({ timeout: 1000 })) ?? '').trim();
  const until = (what: string, check: () => Promise<boolean>, timeout = 20_000) => waitFor(check, { timeout, interval: 100, message: what });
  const instances = async () =>
    page.$$eval('tr[data-instance]', (rows) =>
      rows.map((r) => ({ id: r.getAttribute('data-instance')!, pid: r.querySelector('[data-col="pid"]')?.textContent ?? '', text: r.textContent ?? '' })),
    );
  /** clicks the page's action button, then the dialog's confirm button */
  const act = async (button: string, confirm: string, fill?: () => Promise<void>) => {
    await page.getByRole('button', { name: button, exact: true }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    await fill?.();
    await dialog.getByRole('button', { name: confirm }).click();
    await until(`${button} to succeed`, async () => (await page.locator('.operation').textContent())?.includes('succeeded') ?? false, 60_000);
  };

  it('logs in through the link `tutti up` printed: an HttpOnly session cookie, and no code left in the URL', async () => {
    const token = readFileSync(path.join(shop.dir, '.tutti', 'token'), 'utf8').trim();
    const code = new URL(shop.loginUrl).searchParams.get('code')!;
    await page.goto(shop.loginUrl);
    await until('the overview', async () => page.url() === `${shop.base}/` && (await page.locator('tr[data-service]').count()) > 0);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'tutti_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    const html = await page.content();
    expect(html).not.toContain(token);
    expect(html).not.toContain(code);
    expect(await page.evaluate(() => document.cookie)).not.toContain('tutti_session');
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))).not.toContain(token);
    // the link works once
    const again = await browser.newContext();
    const other = await again.newPage();
    await other.goto(shop.loginUrl);
    await other.locator('input#token').waitFor();
    expect(other.url()).toBe(`${shop.base}/login?expired=1`);
    await snap(other, 'login-expired');
    // `tutti dashboard` prints a fresh one
    const fresh = JSON.parse((await shop.tutti('dashboard', '--json')).stdout) as { url: string };
    expect(fresh.url).not.toBe(shop.loginUrl);
    await other.goto(fresh.url);
    await other.locator('tr[data-service]').first().waitFor();
    expect(other.url()).toBe(`${shop.base}/`);
    await again.close();
    await snap(page, 'logged-in');
  });

  it('sees every service ready, with live request figures', async () => {
    await page.goto(`${shop.base}/`);
    for (const s of SERVICES) {
      await until(`${s} ready`, async () => {
        const row = `tr[data-service="${s}"]`;
        const [ready, state] = [await text(`${row} [data-col="ready"]`), await text(`${row} .badge`)];
        const [a, b] = ready.split('/');
        return state === 'running' && a === b && Number(a) > 0;
      });
    }
    expect(await text('[data-testid="stack-health"]')).toBe('100%');
    // some traffic through the gateway, then its request rate shows (top figures, every 5 s)
    const endpoint = JSON.parse((await shop.tutti('ps', '--json')).stdout).services.find((s: { name: string }) => s.name === 'gateway').endpoint;
    const traffic = setInterval(() => void fetch(`${endpoint}/api/catalog`).then((r) => r.text()).catch(() => {}), 100);
    try {
      await until('a request rate for the gateway', async () => /\/s$/.test(await text('tr[data-service="gateway"] td:nth-of-type(5)')) && (await text('tr[data-service="gateway"] td:nth-of-type(5)')) !== '0/s', 40_000);
    } finally {
      clearInterval(traffic);
    }
    await snap(page, 'overview', 'dashboard-overview');
  }, 90_000);

  it('asks for the token without a session, and gives a viewer no actions', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    const p = await ctx.newPage();
    await p.goto(`${shop.base}/services/orders`);
    await p.locator('input#token').fill('not-a-token');
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
    const viewer = readFileSync(path.join(shop.dir, '.tutti', 'viewer.token'), 'utf8').trim();
    await p.locator('input#token').fill(viewer);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.locator('tr[data-instance]').first().waitFor();
    expect(await p.locator('.role').textContent()).toBe('viewer');
    expect(await p.getByRole('button', { name: 'Restart' }).count()).toBe(0);
    await snap(p, 'viewer-phone-dark');
    await ctx.close();
  });

  it('restarts a service from its page and sees the instance replaced', async () => {
    await page.goto(`${shop.base}/services/inventory`);
    await until('the inventory instance', async () => (await instances()).length === 1 && /^\d+$/.test((await instances())[0].pid));
    const before = await instances();
    await act('Restart', 'Restart');
    await until('a new inventory process', async () => {
      const now = await instances();
      return now.length === 1 && /^\d+$/.test(now[0].pid) && now[0].pid !== before[0].pid && now[0].text.includes('running');
    });
    await snap(page, 'service-restarted');
  }, 90_000);

  // gateway: stateless (inventory keeps reservations in memory, so two of it would split them)
  it('scales a service to 2 and sees two instances', async () => {
    await page.goto(`${shop.base}/services/gateway`);
    await until('the gateway instance', async () => (await instances()).length === 1);
    await act('Scale…', 'Scale to 2', () => page.locator('#replicas').fill('2'));
    await until('two running gateway instances', async () => {
      const now = await instances();
      return now.length === 2 && now.every((i) => i.text.includes('running') && i.text.includes('passing'));
    });
    expect(await text('[data-testid="ready"]')).toBe('2/2');
    await snap(page, 'service-scaled');
  }, 90_000);

  // Depends on the workflow API (issue 4): GET /api/v1/workflows, POST …/runs, GET /api/v1/runs/{id}[/watch].
  it('runs the workflow from its page and watches its timeline complete', async () => {
    await page.goto(`${shop.base}/workflows`);
    await page.locator('tr[data-workflow="place-order"] a').click();
    await page.locator('.graph svg [data-node="/do/0/price"]').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Run…' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.locator('input[name="productId"]').fill('espresso');
    await dialog.locator('input[name="quantity"]').fill('1');
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await until('the run page', async () => /\/runs\/[^/]+$/.test(page.url()));
    await until('the run to complete', async () => (await text('[data-testid="run-status"]')) === 'completed', 60_000);
    await until('every task done in the timeline', async () => {
      const statuses = await page.$$eval('.timeline li[data-task]', (rows) => rows.map((r) => r.getAttribute('data-status')));
      return statuses.length >= 4 && statuses.every((s) => s === 'completed');
    });
    const names = await page.$$eval('.timeline li[data-task]', (rows) => rows.map((r) => r.getAttribute('data-task')));
    expect(names).toEqual(expect.arrayContaining(['price', 'reserveStock', 'charge']));
    await page.locator('.timeline li[data-task="price"] button').click();
    await page.locator('.task-detail').filter({ hasText: 'espresso' }).waitFor();
    await snap(page, 'workflow-run', 'dashboard-workflow-run');
  }, 90_000);

  it('stops a service and sees the overview and its alert change', async () => {
    await page.goto(`${shop.base}/services/gateway`);
    await act('Stop', 'Stop');
    await page.goto(`${shop.base}/`);
    await until('gateway stopped on the overview', async () => (await text('tr[data-service="gateway"] .badge')) === 'stopped');
    expect(await text('tr[data-service="gateway"] [data-col="ready"]')).toBe('0/0');
    await until('stack health below 100%', async () => (await text('[data-testid="stack-health"]')) !== '100%');
    // ServiceDown (for: 30s) turns pending at the next evaluation
    await until('the ServiceDown alert for gateway', async () => {
      const alerts = await page.locator('li[data-alert="ServiceDown"]').allTextContents();
      return alerts.some((a) => a.includes('gateway') && /pending|firing/.test(a));
    }, 30_000);
    await snap(page, 'service-stopped');
  }, 90_000);
});
