// Registry benchmark (issue 3, "Discover"): a real control plane (`tutti server`) measured from
// the outside through its HTTP API, and the client SDK's cache measured in-process:
//   1. registrations/s: 1,000 services × 5 instances registered with ~32 requests in flight;
//   2. healthy-instance lookups/s: wrk with 32 connections on random service names
//      (a Node keep-alive loop when wrk is not installed);
//   3. SDK cached resolves/s: resolve() of watched services, answered from memory.
// Exported for bench/discovery.js; alone: node -e "import('./bench/lib/registry-bench.js').then(m => m.registryBench())"
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO, 'bin', 'tutti.js');
const WRK = '/usr/bin/wrk';
export const TARGETS = { registrations: 2_000, lookups: 10_000, resolves: 1_000_000 };

const serviceName = (i) => `svc-${String(i).padStart(4, '0')}`;

/** `tutti server` on a fresh folder; resolves once it answers, with its URL and admin token. */
async function startControlPlane(dir) {
  if (!existsSync(join(REPO, 'dist', 'cli', 'main.js'))) throw new Error('tutti is not built: run `npx tsc -p tsconfig.build.json` first');
  const child = spawn(process.execPath, [BIN, 'server', '--dir', dir, '--port', '0'], {
    cwd: dir,
    env: { ...process.env, TUTTI_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !exited) {
    try {
      const info = JSON.parse(await readFile(join(dir, '.tutti', 'daemon.json'), 'utf8'));
      const token = (await readFile(join(dir, '.tutti', 'token'), 'utf8')).trim();
      if (info.pid === child.pid && token) {
        const res = await fetch(`${info.url}/healthz`).catch(() => undefined);
        if (res?.ok) return { child, url: info.url, token };
      }
    } catch {
      // not written yet
    }
    await sleep(25);
  }
  child.kill('SIGKILL');
  throw new Error(`tutti server did not start within 20s${exited ? ' (it exited)' : ''}\n${stderr.trim()}`);
}

async function stopControlPlane(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}

/** One JSON request over a keep-alive agent. */
function request(agent, url, token, method, path, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(`${url}${path}`, {
      method,
      agent,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs `task(i)` for i in [0, n) with `concurrency` in flight; resolves with the elapsed ms. */
async function pooled(n, concurrency, task) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await task(next++);
    }),
  );
  return performance.now() - started;
}

async function registerAll(cp, { services, perService, concurrency }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const probe = await request(agent, cp.url, cp.token, 'GET', '/api/v1/registry/services');
    if (probe.status === 404) {
      throw new Error('the control plane has no registry API (GET /api/v1/registry/services answered 404): the daemon does not wire the registry yet');
    }
    const total = services * perService;
    const ms = await pooled(total, concurrency, async (i) => {
      const s = i % services;
      const k = Math.floor(i / services);
      const res = await request(agent, cp.url, cp.token, 'POST', '/api/v1/registry/instances', {
        id: `${serviceName(s)}-${k}`,
        service: serviceName(s),
        address: '127.0.0.1',
        port: 20_000 + k,
        tags: [`zone-${k % 2}`],
      });
      if (res.status !== 201) throw new Error(`registering ${serviceName(s)}-${k} answered ${res.status}: ${res.text}`);
    });
    return { total, ms, perSecond: (total * 1000) / ms };
  } finally {
    agent.destroy();
  }
}

function runWrk(args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(WRK, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

async function lookupsWithWrk(cp, { services, durationS, connections }) {
  const dir = await mkdtemp(join(os.tmpdir(), 'tutti-wrk-'));
  const script = join(dir, 'lookup.lua');
  await writeFile(
    script,
    `math.randomseed(${Date.now() % 1e9})
request = function()
  local path = string.format("/api/v1/registry/services/svc-%04d/instances?healthy=true", math.random(0, ${services - 1}))
  return wrk.format("GET", path)
end
`,
  );
  try {
    // not spawnSync: the control plane may share this process (opts.url), and must keep serving
    const r = await runWrk(
      ['-t1', `-c${connections}`, `-d${durationS}s`, '-H', `Authorization: Bearer ${cp.token}`, '-s', script, cp.url],
      (durationS + 30) * 1000,
    );
    if (r.status !== 0) throw new Error(`wrk failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
    const rate = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
    const bad = /Non-2xx or 3xx responses:\s+(\d+)/.exec(r.stdout);
    const errors = /Socket errors:.*/.exec(r.stdout);
    if (!rate) throw new Error(`cannot read wrk's output:\n${r.stdout}`);
    return { perSecond: Number(rate[1]), failed: bad ? Number(bad[1]) : 0, note: errors?.[0], tool: 'wrk' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function lookupsWithNode(cp, { services, durationS, connections }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let done = 0;
  let failed = 0;
  const until = performance.now() + durationS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        const s = serviceName(Math.floor(Math.random() * services));
        const res = await request(agent, cp.url, cp.token, 'GET', `/api/v1/registry/services/${s}/instances?healthy=true`);
        if (res.status === 200) done++;
        else failed++;
      }
    }),
  );
  agent.destroy();
  return { perSecond: ((done + failed) * 1000) / (performance.now() - started), failed, tool: 'node' };
}

/** The SDK's resolve() of watched services, from memory; the first resolve of each starts its watch. */
async function sdkResolves(cp, { names, iterations }) {
  const { createTuttiClient } = await import('../../dist/client/index.js');
  const sdk = createTuttiClient({ url: cp.url, token: cp.token });
  try {
    for (const n of names) {
      const list = await sdk.resolve(n);
      if (list.length === 0) throw new Error(`resolve(${n}) found no instance`);
    }
    const run = async (count) => {
      let found = 0;
      const started = performance.now();
      for (let i = 0; i < count; i++) found += (await sdk.resolve(names[i % names.length])).length;
      return { ms: performance.now() - started, found };
    };
    await run(Math.min(200_000, iterations)); // warm-up: let the JIT settle
    const { ms, found } = await run(iterations);
    if (found === 0) throw new Error('resolve() found nothing');
    return { perSecond: (iterations * 1000) / ms };
  } finally {
    sdk.close();
  }
}

function printTable(rows) {
  const lines = [['figure', 'measured', 'target', ''], ...rows.map((r) => [r.label, r.value, r.target, r.verdict])];
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const line of lines) console.log(line.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ').trimEnd());
}

const fmtRate = (x) => (x === undefined ? '—' : `${Math.round(x).toLocaleString('en-US')}/s`);

/**
 * Runs the three measurements and prints them; resolves with the figures. Options:
 * services (1000), perService (5), concurrency (32), durationS (10, the lookup run),
 * resolves (5,000,000 SDK resolves); url and token to measure a control plane already
 * running (with an empty registry) instead of starting `tutti server`.
 */
export async function registryBench(opts = {}) {
  const o = { services: 1000, perService: 5, concurrency: 32, durationS: 10, resolves: 5_000_000, ...opts };
  const dir = await mkdtemp(join(os.tmpdir(), 'tutti-registry-bench-'));
  let cp;
  try {
    cp = o.url && o.token ? { url: o.url.replace(/\/+$/, ''), token: o.token } : await startControlPlane(dir);
    console.log(`registry: ${o.services} services × ${o.perService} instances on ${cp.url}`);
    const reg = await registerAll(cp, o);
    const look = existsSync(WRK)
      ? await lookupsWithWrk(cp, { services: o.services, durationS: o.durationS, connections: o.concurrency })
      : await lookupsWithNode(cp, { services: o.services, durationS: o.durationS, connections: o.concurrency });
    const names = Array.from({ length: 8 }, (_, i) => serviceName((i * 97) % o.services));
    const res = await sdkResolves(cp, { names, iterations: o.resolves });
    const verdict = (x, target) => (x >= target ? 'PASS' : 'MISS');
    const rows = [
      { label: `registrations (HTTP, ${o.concurrency} in flight)`, value: fmtRate(reg.perSecond), target: `≥ ${fmtRate(TARGETS.registrations)}`, verdict: verdict(reg.perSecond, TARGETS.registrations) },
      {
        label: `healthy-instance lookups (HTTP, ${look.tool}, ${o.concurrency} conns)`,
        value: fmtRate(look.perSecond),
        target: `≥ ${fmtRate(TARGETS.lookups)}`,
        verdict: look.failed > 0 ? 'MISS' : verdict(look.perSecond, TARGETS.lookups),
      },
      { label: 'SDK cached resolves (in-process)', value: fmtRate(res.perSecond), target: `≥ ${fmtRate(TARGETS.resolves)}`, verdict: verdict(res.perSecond, TARGETS.resolves) },
    ];
    printTable(rows);
    if (look.failed > 0) console.log(`${look.failed} lookups did not answer 200`);
    if (look.note) console.log(`wrk: ${look.note}`);
    return { registrationsPerSecond: reg.perSecond, lookupsPerSecond: look.perSecond, lookupFailures: look.failed, resolvesPerSecond: res.perSecond };
  } finally {
    if (cp?.child) await stopControlPlane(cp.child);
    await rm(dir, { recursive: true, force: true });
  }
}
