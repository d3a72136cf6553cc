// Benchmark `monitor`: what watching a stack of 100 running instances costs the control plane.
//   1. CPU of collection + alert evaluation at the default interval (5 s): the real sampler,
//      metrics and alert monitor over a synthetic orchestrator status of 100 instances, whose
//      process stats are read from the OS (pidusage) for 100 real `sleep` processes. Measured
//      with process.cpuUsage over real intervals, and as per-round cost × rounds per second.
//   2. `/metrics` scrape time over real HTTP (buildApp with the metrics api), against prom-client
//      rendering the same number of series from plain Gauges (what a typical exporter does).
//   3. Series store memory after an hour of samples (720 rounds at 5 s), against the raw size
//      of the points (16 bytes each).
//   4. `logs --grep` throughput over 1 GB of rotated log files (the process runtime's reader),
//      against `LC_ALL=C grep -c -F` on the same files. The files are deleted at the end.
// Usage: node bench/monitor.js [--instances N] [--seconds S] [--log-mb MB] [--only cpu,scrape,memory,grep]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { median } from './lib/table.js';

const require = createRequire(import.meta.url);
const DIST = new URL('../dist/', import.meta.url);
const { createMetrics, createAlertMonitor, DEFAULT_INTERVAL_MS, parseExpr } = await import(new URL('monitor/index.js', DIST));
const { buildApp } = await import(new URL('server/app.js', DIST));
const { readLogHistory } = await import(new URL('runtime/process/log-reader.js', DIST));
const pidusage = require('pidusage');
const prom = require('prom-client');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const TARGETS = { cpuPercent: 2, scrapeMs: 50, memoryMiB: 64, grepMBps: 200 };

function options() {
  const { values } = parseArgs({
    options: {
      instances: { type: 'string', default: '100' },
      seconds: { type: 'string', default: '30' },
      'log-mb': { type: 'string', default: '1024' },
      only: { type: 'string' },
    },
  });
  const num = (name) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} takes a positive number, not ${values[name]}`);
    return n;
  };
  return {
    instances: Math.round(num('instances')),
    seconds: num('seconds'),
    logMB: num('log-mb'),
    only: values.only ? new Set(values.only.split(',')) : undefined,
  };
}

// ---- a synthetic stack: 10 services of 10 instances, real processes for their OS stats --------

function syntheticStack(n, pids) {
  const perService = 10;
  const services = [];
  const instances = [];
  for (let i = 0; i < n; i++) {
    const service = `svc${String(Math.floor(i / perService)).padStart(2, '0')}`;
    if (i % perService === 0) services.push({ name: service, state: 'running', desired: 0, replicas: 0, ready: 0, stopped: false, revision: 'r1', importance: 1, health: 1, dependsOn: {} });
    const s = services.at(-1);
    s.desired++;
    s.replicas++;
    s.ready++;
    instances.push({
      id: `${service}-${(i % perService) + 1}`, service, revision: 'r1', slot: i % perService, address: '127.0.0.1', port: 20000 + i,
      pid: pids[i], state: 'running', health: 'passing', ready: true, restarts: 0, createdAt: Date.now(),
    });
  }
  const status = { name: 'bench', file: '/bench/tutti.yaml', dir: '/bench', appliedAt: Date.now(), health: 1, services, instances };
  const byPid = new Map(instances.map((i) => [i.pid, i.id]));
  const stats = async () => {
    const usage = await pidusage([...byPid.keys()]);
    const out = {};
    for (const [pid, id] of byPid) {
      const u = usage[String(pid)];
      if (u) out[id] = { cpu: u.cpu, memory: u.memory, cpuSeconds: u.ctime / 1000 };
    }
    return out;
  };
  const scores = (service) =>
    instances.filter((i) => i.service === service).map((i) => ({
      id: i.id, score: 0.9, terms: { latency: 1, success: 1, load: 0.5, health: 1 }, weights: { latency: 0.45, success: 0.3, load: 0.15, health: 0.1 }, successEwma: 1, inFlight: 1, requests: 100,
    }));
  return { status, stats, scores };
}

/** Some traffic through every instance's stable endpoint: 2xx mostly, a few 5xx and failures. */
function traffic(metrics, status, perInstance) {
  for (const i of status.instances) {
    for (let k = 0; k < perInstance; k++) {
      const r = Math.random();
      metrics.record({ service: i.service, instance: i.id, method: 'GET', status: r < 0.97 ? 200 : r < 0.99 ? 503 : 0, durationSeconds: Math.random() * Math.random() * 0.2 });
    }
  }
}

const shopRules = [
  { name: 'ServiceDown', when: 'tutti_service_ready_instances < 1', forMs: 30_000, labels: {}, annotations: {}, notify: [] },
  {
    name: 'HighErrorRatio',
    when: 'sum by (service) (rate(tutti_endpoint_request_errors_total[1m])) / sum by (service) (rate(tutti_endpoint_requests_total[1m])) > 0.05',
    forMs: 60_000, labels: {}, annotations: {}, notify: [],
  },
  { name: 'SlowP99', when: 'histogram_quantile(0.99, sum by (service, le) (rate(tutti_endpoint_request_duration_seconds_bucket[1m]))) > 0.5', forMs: 60_000, labels: {}, annotations: {}, notify: [] },
  { name: 'Restarting', when: 'increase(tutti_instance_restarts_total[5m]) > 3', forMs: 0, labels: {}, annotations: {}, notify: [] },
  { name: 'HighCpu', when: 'rate(tutti_instance_cpu_seconds_total[1m]) > 0.9', forMs: 60_000, labels: {}, annotations: {}, notify: [] },
];
for (const r of shopRules) parseExpr(r.when); // a typo here should break the bench, not measure nothing

// ---- 1. collection + evaluation CPU ---------------------------------------------------------------

async function cpuFigures(stack, seconds) {
  const metrics = createMetrics({ status: () => stack.status, stats: stack.stats, scores: stack.scores });
  // per-round cost: 100 rounds driven by hand with simulated time
  let t = Date.now();
  const handDriven = createAlertMonitor({ status: () => stack.status, collect: (at) => metrics.samples(at), intervalMs: 3_600_000, now: () => t });
  await handDriven.setRules(shopRules);
  for (let k = 0; k < 20; k++) { traffic(metrics, stack.status, 5); t += DEFAULT_INTERVAL_MS; await handDriven.tick(); } // warm-up
  const rounds = 100;
  const before = process.cpuUsage();
  for (let k = 0; k < rounds; k++) {
    t += DEFAULT_INTERVAL_MS;
    await handDriven.tick();
  }
  const used = process.cpuUsage(before);
  await handDriven.close();
  const perRoundMs = (used.user + used.system) / 1000 / rounds;
  const perRoundPercent = (perRoundMs / DEFAULT_INTERVAL_MS) * 100;

  // real intervals: the monitor's own timer at the default interval, nothing else running
  const live = createAlertMonitor({ status: () => stack.status, collect: (at) => metrics.samples(at), intervalMs: DEFAULT_INTERVAL_MS });
  await live.setRules(shopRules);
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpuStart);
  const wallMs = performance.now() - wallStart;
  await live.close();
  const livePercent = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
  return { perRoundMs, perRoundPercent, livePercent, series: live.store.stats().series || handDriven.store.stats().series };
}

// ---- 2. /metrics scrape ---------------------------------------------------------------------------

async function scrapeFigures(stack) {
  const metrics = createMetrics({ status: () => stack.status, stats: stack.stats, scores: stack.scores });
  traffic(metrics, stack.status, 50);
  const token = 'bench-viewer-token';
  const orchestrator = { status: () => stack.status };
  const app = await buildApp({ orchestrator, metrics: metrics.api, tokens: { [token]: 'viewer' }, version: 'bench' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${app.server.address().port}/metrics`;
  const headers = { authorization: `Bearer ${token}` };
  const time = async (n, fetchOnce) => {
    for (let i = 0; i < 5; i++) await fetchOnce();
    const ms = [];
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      await fetchOnce();
      ms.push(performance.now() - s);
    }
    return { median: median(ms), p95: ms.sort((a, b) => a - b)[Math.floor(n * 0.95)] };
  };
  let body = '';
  const cpu0 = process.cpuUsage();
  const ours = await time(50, async () => {
    const res = await fetch(url, { headers });
    if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
    body = await res.text();
  });
  const cpu = process.cpuUsage(cpu0);
  const cpuPerScrapeMs = (cpu.user + cpu.system) / 1000 / 55; // server and client share this process
  const seriesCount = body.split('\n').filter((l) => l && !l.startsWith('#')).length;
  await app.close();

  // baseline: prom-client rendering as many series from plain Gauges set beforehand
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry });
  const gauges = Array.from({ length: 20 }, (_, g) => new prom.Gauge({ name: `baseline_metric_${g}`, help: 'baseline', labelNames: ['service', 'instance', 'le'], registers: [registry] }));
  for (let i = 0; i < seriesCount; i++) gauges[i % 20].set({ service: `svc${i % 10}`, instance: `i${i}`, le: String(i % 15) }, i);
  const http = await import('node:http');
  const server = http.createServer(async (_req, res) => {
    const text = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType }).end(text);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${server.address().port}/metrics`;
  const base = await time(50, async () => void (await (await fetch(baseUrl)).text()));
  await new Promise((r) => server.close(r));
  return { ours, base, seriesCount, bytes: body.length, cpuPerScrapeMs };
}

// ---- 3. series store memory after an hour ----------------------------------------------------------

async function memoryFigures(stack) {
  const metrics = createMetrics({ status: () => stack.status, stats: stack.stats, scores: stack.scores });
  gc();
  const m0 = process.memoryUsage();
  let t = Date.now();
  const monitor = createAlertMonitor({ status: () => stack.status, collect: (at) => metrics.samples(at), intervalMs: 3_600_000, now: () => t });
  await monitor.setRules(shopRules);
  const rounds = 3_600_000 / DEFAULT_INTERVAL_MS;
  for (let k = 0; k < rounds; k++) {
    traffic(metrics, stack.status, 2);
    t += DEFAULT_INTERVAL_MS;
    await monitor.tick();
  }
  gc();
  const m1 = process.memoryUsage();
  const stats = monitor.store.stats();
  await monitor.close();
  const measured = m1.heapUsed + m1.arrayBuffers - (m0.heapUsed + m0.arrayBuffers);
  return { rounds, measured, estimated: stats.bytes, raw: stats.points * 16, series: stats.series, points: stats.points };
}

// ---- 4. logs --grep over 1 GB of rotated files -----------------------------------------------------

async function grepFigures(totalMB) {
  const dir = await mkdtemp(join(os.tmpdir(), 'tutti-bench-logs-'));
  try {
    const instances = 10;
    const filesPerInstance = Math.max(2, Math.round(totalMB / instances / 10)); // ~10 MB files, as rotation leaves them
    const fileBytes = Math.floor((totalMB * 1024 * 1024) / (instances * filesPerInstance));
    const needle = 'payment-declined';
    let expected = 0;
    let total = 0;
    let time = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < instances; i++) {
      const service = `svc${i % 5}`;
      const folder = join(dir, service);
      await mkdir(folder, { recursive: true });
      for (let f = filesPerInstance - 1; f >= 0; f--) {
        const lines = [];
        let size = 0;
        while (size < fileBytes) {
          time += 3;
          const n = lines.length;
          const hit = n % 997 === 0;
          if (hit) expected++;
          const text = n % 3 === 0
            ? `{"level":30,"time":${time},"pid":4242,"hostname":"bench","req":{"id":${n},"method":"POST","url":"/orders"},"msg":"${hit ? needle : 'order placed'} for customer ${n % 1000}"}`
            : `GET /products/${n % 50} 200 ${n % 17}ms ${hit ? needle : 'cache hit'} user-agent=curl/8.5.0 trace=${(n * 2654435761 >>> 0).toString(16)}`;
          const line = `${new Date(time).toISOString()} stdout ${text}\n`;
          lines.push(line);
          size += line.length;
        }
        const name = f === 0 ? `${service}-${i}.log` : `${service}-${i}.log.${f}`;
        const body = lines.join('');
        total += Buffer.byteLength(body);
        await writeFile(join(folder, name), body);
      }
    }
    // warm the page cache for both, then time each
    spawnSync('cat', ['-'], { input: '' });
    spawnSync('sh', ['-c', `cat ${JSON.stringify(dir)}/*/* > /dev/null`]);
    const ours = [];
    let found = 0;
    for (let k = 0; k < 3; k++) {
      const s = performance.now();
      found = (await readLogHistory(dir, { grep: needle })).length;
      ours.push(performance.now() - s);
    }
    const base = [];
    let grepCount = 0;
    for (let k = 0; k < 3; k++) {
      const s = performance.now();
      const r = await new Promise((resolve, reject) => {
        const child = spawn('grep', ['-r', '-c', '-F', needle, dir], { env: { ...process.env, LC_ALL: 'C' } });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('error', reject);
        child.on('exit', () => resolve(out));
      });
      base.push(performance.now() - s);
      grepCount = r.trim().split('\n').reduce((n, l) => n + Number(l.slice(l.lastIndexOf(':') + 1)), 0);
    }
    if (found !== expected || grepCount !== expected) throw new Error(`grep found ${found} (tutti) and ${grepCount} (grep), expected ${expected}`);
    const mb = total / 1024 / 1024;
    return { mb, files: instances * filesPerInstance, ours: mb / (median(ours) / 1000), base: mb / (median(base) / 1000), found };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- output ----------------------------------------------------------------------------------------

function printRows(rows) {
  const lines = [['', 'tutti', 'target', 'baseline', 'tutti/baseline', '']];
  for (const r of rows) {
    const ratio = r.base === undefined || !(r.base > 0) ? '—' : `${(r.ours / r.base).toFixed(2)}×`;
    const pass = r.higherIsBetter ? r.ours >= r.target : r.ours <= r.target;
    lines.push([r.label, r.fmt(r.ours), `${r.higherIsBetter ? '≥' : '≤'} ${r.fmt(r.target)}`, r.base === undefined ? '—' : `${r.fmt(r.base)} (${r.baseName})`, ratio, pass ? 'PASS' : 'MISS']);
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const line of lines) console.log(line.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ').trimEnd());
}

const opts = options();
const want = (name) => !opts.only || opts.only.has(name);
const sleepers = Array.from({ length: opts.instances }, () => spawn('sleep', ['3600'], { stdio: 'ignore' }));
const rows = [];
console.log(`${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the start`);
try {
  const stack = syntheticStack(opts.instances, sleepers.map((c) => c.pid));
  console.log(`${opts.instances} simulated instances (synthetic orchestrator status; CPU and memory read by pidusage from ${opts.instances} real \`sleep\` processes)`);
  if (want('cpu')) {
    const c = await cpuFigures(stack, opts.seconds);
    console.log(`collection + evaluation of ${shopRules.length} rules: ${c.perRoundMs.toFixed(1)} ms CPU per round (${c.series} series); ` +
      `${c.livePercent.toFixed(3)} % of a core measured over ${opts.seconds} s of real ${DEFAULT_INTERVAL_MS / 1000} s intervals`);
    rows.push({ label: 'collection CPU, per-round × rounds/s', ours: c.perRoundPercent, target: TARGETS.cpuPercent, fmt: (x) => `${x.toFixed(3)} %` });
    rows.push({ label: `collection CPU, measured over ${opts.seconds} s`, ours: c.livePercent, target: TARGETS.cpuPercent, fmt: (x) => `${x.toFixed(3)} %` });
  }
  if (want('scrape')) {
    const s = await scrapeFigures(stack);
    console.log(`/metrics: ${s.seriesCount} series, ${(s.bytes / 1024).toFixed(0)} KiB; median ${s.ours.median.toFixed(1)} ms, p95 ${s.ours.p95.toFixed(1)} ms over 50 scrapes; ${s.cpuPerScrapeMs.toFixed(1)} ms CPU each (server + client)`);
    rows.push({ label: '/metrics scrape (median)', ours: s.ours.median, base: s.base.median, baseName: 'prom-client Gauges', target: TARGETS.scrapeMs, fmt: (x) => `${x.toFixed(1)} ms` });
  }
  if (want('memory')) {
    const m = await memoryFigures(stack);
    console.log(`series store after ${m.rounds} rounds: ${m.series} series, ${m.points} points; estimated ${(m.estimated / 1048576).toFixed(1)} MiB, measured heap+buffers Δ ${(m.measured / 1048576).toFixed(1)} MiB`);
    rows.push({ label: 'series store after 1 h (measured)', ours: m.measured / 1048576, base: m.raw / 1048576, baseName: 'raw points', target: TARGETS.memoryMiB, fmt: (x) => `${x.toFixed(1)} MiB` });
  }
  if (want('grep')) {
    const g = await grepFigures(opts.logMB);
    console.log(`logs --grep over ${g.mb.toFixed(0)} MB in ${g.files} files (current + rotated): ${g.found} lines found`);
    rows.push({ label: 'logs --grep throughput', ours: g.ours, base: g.base, baseName: 'grep -c', target: TARGETS.grepMBps, higherIsBetter: true, fmt: (x) => `${x.toFixed(0)} MB/s` });
  }
  console.log('');
  printRows(rows);
} finally {
  for (const c of sleepers) c.kill('SIGKILL');
  pidusage.clear();
}
