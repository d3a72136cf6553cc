// Benchmark `dashboard`: the web dashboard in Debian's Chromium (playwright-core) against a
// real daemon running a generated stack of N services (default 100; each a `sleep`, so the
// machine runs the control plane, not the services). Measures:
//   1. first load: the JavaScript the overview needs, as transferred (the server sends the
//      pre-compressed files) and gzip-compressed (the target's unit); target ≤ 250 KB gzip;
//   2. time from navigation to the overview being complete (every service row, the health
//      score, alerts and events shown), cold (empty cache) and warm; target ≤ 1 s;
//   3. the cost of one live update: from a `stack` event arriving over SSE to the page having
//      parsed it, re-rendered and laid out again (the app's `tutti:stack-update` measures),
//      while services are stopped and started; target: under a 16 ms frame.
// Usage: node bench/dashboard.js [--services N] [--updates N] [--loads N] [--keep]
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { run } from './lib/exec.js';
import { median } from './lib/table.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(REPO, 'bin', 'tutti.js');
const WEB = path.join(REPO, 'dist', 'web');
const CHROMIUM = process.env.TUTTI_CHROMIUM ?? '/usr/bin/chromium';
const TARGETS = { jsGzipBytes: 250 * 1024, overviewMs: 1000, updateMs: 16 };

function options() {
  const { values } = parseArgs({
    options: {
      services: { type: 'string', default: '100' },
      updates: { type: 'string', default: '20' },
      loads: { type: 'string', default: '5' },
      keep: { type: 'boolean', default: false },
    },
  });
  const int = (name) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} takes a whole number of at least 1, not ${values[name]}`);
    return n;
  };
  return { services: int('services'), updates: int('updates'), loads: int('loads'), keep: values.keep };
}

/** N services in layers of ten, each depending on one of the layer before (a topology to draw). */
function manifest(n) {
  const lines = ['name: bench-dashboard', 'services:'];
  for (let i = 0; i < n; i++) {
    const name = `svc-${String(i).padStart(3, '0')}`;
    lines.push(`  ${name}:`, '    command: sleep 100000', '    restart: always');
    if (i >= 10) lines.push(`    depends_on: { svc-${String(Math.max(0, i - 10 - (i % 3))).padStart(3, "0")}: started }`);
  }
  return lines.join('\n') + '\n';
}

const tutti = (dir, ...args) => run(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, timeoutMs: 300_000 });

const fmtKB = (b) => (b === undefined ? '—' : `${(b / 1024).toFixed(1)} KB`);
const fmtMs = (ms) => (ms === undefined ? '—' : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`);

function report(rows) {
  const lines = [['', 'measured', 'target', '']];
  for (const r of rows) lines.push([r.label, r.fmt(r.value), r.target === undefined ? '(info)' : `≤ ${r.fmt(r.target)}`, r.target === undefined || r.value === undefined ? '' : r.value <= r.target ? 'PASS' : 'MISS']);
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const l of lines) console.log(l.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ').trimEnd());
}

/** Waits in the page until the overview shows everything it is made of. */
function overviewComplete(page, n) {
  return page.waitForFunction(
    (count) =>
      document.querySelectorAll('tr[data-service]').length === count &&
      /\d%$/.test(document.querySelector('[data-testid="stack-health"]')?.textContent ?? '') &&
      !document.querySelector('.placeholder') &&
      document.querySelectorAll('.skeleton').length === 0,
    n,
    { timeout: 30_000, polling: 'raf' },
  );
}

async function main() {
  const opts = options();
  if (!existsSync(CHROMIUM)) {
    console.log(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set TUTTI_CHROMIUM): nothing measured`);
    return;
  }
  if (!existsSync(path.join(WEB, 'index.html'))) {
    console.log('building the dashboard (dist/web) …');
    await run(process.execPath, [path.join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '-c', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: REPO });
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tutti-bench-dashboard-'));
  await writeFile(path.join(dir, 'tutti.yaml'), manifest(opts.services));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    console.log(`starting ${opts.services} services …`);
    const t0 = performance.now();
    await tutti(dir, 'up');
    console.log(`  up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const link = JSON.parse((await tutti(dir, 'dashboard', '--json')).output);
    const base = new URL(link.url).origin;

    // log in once; every later context starts with the session cookie and an empty cache
    const login = await browser.newContext();
    await (await login.newPage()).goto(link.url);
    const cookies = await login.cookies();
    await login.close();

    // 1 + 2 (cold): the first load, with an empty cache
    const cold = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    await cold.addCookies(cookies);
    const page = await cold.newPage();
    const scripts = [];
    page.on('requestfinished', async (request) => {
      if (request.resourceType() !== 'script') return;
      const sizes = await request.sizes().catch(() => undefined);
      scripts.push({ url: request.url(), transferred: sizes ? sizes.responseBodySize + sizes.responseHeadersSize : undefined });
    });
    await page.goto(`${base}/`);
    await overviewComplete(page, opts.services);
    const coldMs = await page.evaluate(() => performance.now());
    await page.waitForLoadState('networkidle').catch(() => {});
    const assets = new Set(readdirSync(path.join(WEB, 'assets')));
    let gzip = 0;
    let transferred = 0;
    for (const s of scripts) {
      const file = path.basename(new URL(s.url).pathname);
      if (assets.has(file)) gzip += gzipSync(readFileSync(path.join(WEB, 'assets', file)), { level: 9 }).length;
      transferred += s.transferred ?? 0;
    }
    console.log(`  first load: ${scripts.length} script${scripts.length === 1 ? '' : 's'}: ${scripts.map((s) => path.basename(new URL(s.url).pathname)).join(', ')}`);

    // 2 (warm): the same, with the bundles cached
    const warm = [];
    for (let i = 0; i < opts.loads; i++) {
      await page.goto(`${base}/`);
      await overviewComplete(page, opts.services);
      warm.push(await page.evaluate(() => performance.now()));
    }

    // 3: live updates while services stop and start
    await page.evaluate(() => performance.clearMeasures());
    const updates = async () => page.evaluate(() => performance.getEntriesByName('tutti:stack-update').map((e) => e.duration));
    // through the API (a CLI process per change would compete with the browser for the CPU)
    const token = readFileSync(path.join(dir, '.tutti', 'token'), 'utf8').trim();
    const act = (action, svc) => fetch(`${base}/api/v1/services/${svc}/${action}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    for (let round = 0; (await updates()).length < opts.updates && round < 4 * opts.updates; round++) {
      const svc = `svc-${String(opts.services - 1 - (Math.floor(round / 2) % 5)).padStart(3, '0')}`;
      const before = (await updates()).length;
      await act(round % 2 === 0 ? 'stop' : 'start', svc);
      // the next change once this one has been shown
      await page.waitForFunction((n) => performance.getEntriesByName('tutti:stack-update').length > n, before, { timeout: 10_000 }).catch(() => {});
      await page.waitForTimeout(200);
    }
    const costs = (await updates()).sort((a, b) => a - b);
    const tops = (await page.evaluate(() => performance.getEntriesByName('tutti:top-update').map((e) => e.duration))).sort((a, b) => a - b);
    const p95 = (xs) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))] : undefined);
    await cold.close();

    console.log(`\ndashboard with ${opts.services} services (Chromium ${browser.version()}, ${os.cpus().length} CPUs)`);
    report([
      { label: 'first-load JS, gzip', value: gzip, target: TARGETS.jsGzipBytes, fmt: fmtKB },
      { label: 'first-load JS, as transferred (br)', value: transferred, fmt: fmtKB },
      { label: 'overview complete, cold cache', value: coldMs, target: TARGETS.overviewMs, fmt: fmtMs },
      { label: `overview complete, warm (median of ${warm.length})`, value: median(warm), target: TARGETS.overviewMs, fmt: fmtMs },
      { label: `SSE stack update → rendered (median of ${costs.length})`, value: median(costs), target: TARGETS.updateMs, fmt: fmtMs },
      { label: 'SSE stack update → rendered (p95)', value: p95(costs), target: TARGETS.updateMs, fmt: fmtMs },
      { label: 'SSE stack update → rendered (max)', value: costs.at(-1), fmt: fmtMs },
      { label: `SSE top update → rendered (median of ${tops.length})`, value: median(tops), fmt: fmtMs },
    ]);
  } finally {
    await browser.close().catch(() => {});
    await tutti(dir, 'down').catch((err) => console.error(`tutti down failed: ${err.message}`));
    if (!opts.keep) await rm(dir, { recursive: true, force: true });
  }
}

await main();
