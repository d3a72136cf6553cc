// Benchmark `discovery`: the cost of tutti's stable endpoint (the per-service HTTP reverse
// proxy with QoS balancing) against going to an instance directly and against nginx over the
// same instances, all measured the same way with wrk in the same run:
//   1. throughput: requests/s with `wrk -t1 -c50` (p50/p99 at that load are shown too, but
//      at a saturating load they are mostly queueing: latency ≈ connections / throughput);
//   2. added latency: p50 with one connection (`wrk -t1 -c1`), where it is the per-request
//      cost, compared with going direct.
// Backends, the endpoint and nginx each run in their own process, so the load generator, the
// proxy and the backends never share an event loop. Targets: tutti ≥ 0.6× nginx's requests/s,
// tutti's p50 ≤ 0.5 ms over direct. Two bare Node proxies are measured too, as ceilings: node:http
// on both sides (what the endpoint was first), and node:http's server with an undici Pool per
// backend (what the endpoint is now, without balancing, retries or outcomes). Afterwards the registry's own benchmark runs (bench/lib/registry-bench.js, if present).
// Usage: node bench/discovery.js [--duration S (default 10)] [--connections N (default 50)]
//                                [--backends N (default 2)] [--rounds N (default 3)] [--skip-registry]
//                                [--quick: direct, tutti qos and nginx only, 5 s, one round, no registry]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { start } from './lib/exec.js';
import { waitAllAnswering } from './lib/poll.js';
import { allocatePorts, isAlive } from './lib/proc.js';
import { median } from './lib/table.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const PROXY_DIST = join(REPO, 'dist', 'proxy', 'index.js');
const WRK = '/usr/bin/wrk';
const NGINX = '/usr/sbin/nginx';
const TARGETS = { throughput: 0.6, addedP50Ms: 0.5 };

// A minimal instance: a small fixed body, keep-alive, nothing else. CommonJS: no package.json needed.
const BACKEND_JS = `const http = require('node:http');
const body = Buffer.from('{"ok":true,"service":"bench"}');
http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

// tutti's stable endpoint alone in a process, importing the built code.
const ENDPOINT_JS = `const [dist, json] = process.argv.slice(2);
const { startEndpoint } = await import(dist);
const { port, ports, strategy } = JSON.parse(json);
const targets = ports.map((p, i) => ({ id: 'b' + i, address: '127.0.0.1', port: p, health: 'passing' }));
const { DEFAULT_SELECTION } = await import(new URL('../core/index.js', dist).href);
await startEndpoint({
  service: 'bench', host: '127.0.0.1', port, targets: () => targets,
  selection: { ...DEFAULT_SELECTION, strategy }, onOutcome: () => {},
});
`;

// For reference: the barest Node reverse proxy (round-robin, keep-alive agent, no balancing,
// no retries, no outcomes), to tell what Node's HTTP stack costs from what tutti adds to it.
const BARE_JS = `import http from 'node:http';
const { port, ports } = JSON.parse(process.argv[2]);
const agent = new http.Agent({ keepAlive: true });
let next = 0;
http.createServer((req, res) => {
  const up = http.request({ host: '127.0.0.1', port: ports[next++ % ports.length], method: req.method, path: req.url, headers: req.headers, agent }, (ur) => {
    res.writeHead(ur.statusCode, ur.headers);
    ur.pipe(res);
  });
  up.on('error', () => res.destroy());
  req.pipe(up);
}).listen(port, '127.0.0.1');
`;

// The same with undici's Pool and the raw dispatch API: the floor of the endpoint's design.
const BARE_UNDICI_JS = (undiciUrl) => `import http from 'node:http';
const { Pool } = await import(${JSON.stringify(undiciUrl)});
const { port, ports } = JSON.parse(process.argv[2]);
const pools = ports.map((p) => new Pool('http://127.0.0.1:' + p, { pipelining: 1, headersTimeout: 0, bodyTimeout: 0 }));
let next = 0;
class Handler {
  constructor(res) { this.res = res; }
  onConnect() {}
  onHeaders(status, raw, resume, text) {
    const headers = [];
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i].toString('latin1');
      if (name.length === 10 && /^(connection|keep-alive)$/i.test(name)) continue;
      headers.push(name, raw[i + 1].toString('latin1'));
    }
    this.res.writeHead(status, text, headers);
    return true;
  }
  onData(chunk) { return this.res.write(chunk); }
  onComplete() { this.res.end(); }
  onError() { this.res.destroy(); }
}
http.createServer((req, res) => {
  pools[next++ % pools.length].dispatch({ path: req.url, method: req.method, headers: req.rawHeaders, body: req.method === 'GET' ? null : req }, new Handler(res));
}).listen(port, '127.0.0.1');
`;

function nginxConf(dir, port, backendPorts) {
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream backends {
${backendPorts.map((p) => `    server 127.0.0.1:${p};`).join('\n')}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

function options() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      backends: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '3' },
      'skip-registry': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
    },
  });
  // to iterate on the proxy: the figures that decide the targets, quickly (explicit flags still win)
  if (values.quick) {
    const given = (name) => process.argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (!given('duration')) values.duration = '5';
    if (!given('rounds')) values.rounds = '1';
  }
  const int = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} takes a whole number of at least ${min}, not ${values[name]}`);
    return n;
  };
  return {
    durationS: int('duration', 1), connections: int('connections', 1), backends: int('backends', 1),
    rounds: int('rounds', 1), skipRegistry: values['skip-registry'] || values.quick, quick: values.quick,
  };
}

// ---- wrk ------------------------------------------------------------------------------------

const UNITS = { us: 0.001, ms: 1, s: 1000 };
const toMs = (value, unit) => Number(value) * UNITS[unit];

/** Runs wrk; returns { rps, p50, p99 } (ms) and the count of non-2xx/socket errors. */
async function wrk(url, { connections, durationS }) {
  const args = ['-t1', `-c${connections}`, `-d${durationS}s`, '--latency', url];
  const { code, output } = await start(WRK, args, { timeoutMs: (durationS + 30) * 1000 }).done;
  if (code !== 0) throw new Error(`wrk ${args.join(' ')} exited with ${code}:\n${output}`);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const p = (q) => {
    const m = new RegExp(`^\\s+${q}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(output);
    return m ? toMs(m[1], m[2]) : undefined;
  };
  if (!rps) throw new Error(`could not read wrk's output:\n${output}`);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const socketErrors = /Socket errors:(.*)/.exec(output)?.[1]?.trim();
  return { rps: Number(rps[1]), p50: p(50), p99: p(99), non2xx, socketErrors };
}

async function warmUp(url, opts) {
  await wrk(url, { connections: opts.connections, durationS: Math.min(3, opts.durationS) });
}

/** Throughput at opts.connections, and latency with one connection. */
async function measure(label, url, opts) {
  const load = await wrk(url, { connections: opts.connections, durationS: opts.durationS });
  const single = await wrk(url, { connections: 1, durationS: Math.max(2, Math.round(opts.durationS / 2)) });
  const problems = [load, single].flatMap((r) => [
    r.non2xx ? `${r.non2xx} non-2xx answers` : '',
    r.socketErrors ? `socket errors: ${r.socketErrors}` : '',
  ]).filter(Boolean);
  const result = { label, rps: load.rps, p50: load.p50, p99: load.p99, p50c1: single.p50, p99c1: single.p99, problems };
  printResult(result);
  return result;
}

function medianResult(label, runs) {
  const m = (key) => median(runs.map((r) => r[key]).filter((v) => v !== undefined));
  const result = { label, rps: m('rps'), p50: m('p50'), p99: m('p99'), p50c1: m('p50c1'), p99c1: m('p99c1'), problems: runs.flatMap((r) => r.problems) };
  printResult(result);
  return result;
}

function printResult(r) {
  console.log(`  ${r.label.padEnd(30)} ${fmtRps(r.rps)} req/s   p50 ${fmtMs(r.p50)}  p99 ${fmtMs(r.p99)}   `
    + `│ 1 connection: p50 ${fmtMs(r.p50c1)}  p99 ${fmtMs(r.p99c1)}${r.problems.length ? `   (${r.problems.join('; ')})` : ''}`);
}

const fmtRps = (n) => (n === undefined ? '—' : Math.round(n).toLocaleString('en-US').padStart(7));
const fmtMs = (ms) => (ms === undefined ? '—' : `${ms.toFixed(2)} ms`.padStart(8));

// ---- processes ------------------------------------------------------------------------------

async function startProcess(command, args, { cwd, env, name }) {
  const proc = start(command, args, { cwd, env, timeoutMs: 3_600_000 });
  proc.name = name;
  return proc;
}

async function stopProcess(proc) {
  if (!proc || proc.exited()) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 5000);
  await proc.done.catch(() => {});
  clearTimeout(timer);
}

async function answering(proc, port) {
  const failed = () => {
    const exit = proc.exited();
    return exit ? new Error(`${proc.name} exited with ${exit.code ?? exit.signal}:\n${exit.output.trim()}`) : undefined;
  };
  await waitAllAnswering([port], { deadlineMs: 20_000, failed });
}

// ---- main -------------------------------------------------------------------------------------

async function main() {
  const opts = options();
  const haveWrk = existsSync(WRK);
  const haveNginx = existsSync(NGINX);
  console.log(`discovery: ${opts.backends} Node backends, wrk -t1 -c${opts.connections} -d${opts.durationS}s (and -c1 for latency), ${opts.rounds} rounds`);
  console.log(`node ${process.version} · ${os.platform()} ${os.arch()} · ${os.cpus().length} CPUs\n`);
  if (!haveWrk) {
    console.log(`wrk is not installed (${WRK}): install it with \`apt-get install wrk nginx-light\`; skipping the proxy figures.`);
  } else if (!existsSync(PROXY_DIST)) {
    throw new Error(`${PROXY_DIST} not found: build first with \`npx tsc -p tsconfig.build.json\``);
  }

  const root = await mkdtemp(join(os.tmpdir(), 'tutti-bench-discovery-'));
  await chmod(root, 0o755); // nginx workers drop root
  const procs = [];
  const results = {};
  try {
    if (haveWrk) {
      await writeFile(join(root, 'backend.cjs'), BACKEND_JS);
      await writeFile(join(root, 'endpoint.mjs'), ENDPOINT_JS);
      const backendPorts = await allocatePorts(opts.backends);
      for (const [i, port] of backendPorts.entries()) {
        const p = await startProcess(process.execPath, [join(root, 'backend.cjs')], { cwd: root, env: { ...process.env, PORT: String(port) }, name: `backend ${i}` });
        procs.push(p);
        await answering(p, port);
      }

      // every contender runs at once (idle while another is measured), and the rounds go over
      // them in turn, so a burst of other work on the machine hits them alike; medians are kept
      const contenders = [{ key: 'direct', label: 'direct (one backend)', port: backendPorts[0] }];
      for (const strategy of opts.quick ? ['qos'] : ['round-robin', 'qos']) {
        const [port] = await allocatePorts(1);
        const config = JSON.stringify({ port, ports: backendPorts, strategy });
        const p = await startProcess(process.execPath, [join(root, 'endpoint.mjs'), pathToFileURL(PROXY_DIST).href, config], { cwd: root, name: `tutti endpoint (${strategy})` });
        procs.push(p);
        await answering(p, port);
        contenders.push({ key: strategy, label: `tutti ${strategy}`, port });
      }
      if (!opts.quick) {
        await writeFile(join(root, 'bare.mjs'), BARE_JS);
        const [port] = await allocatePorts(1);
        const p = await startProcess(process.execPath, [join(root, 'bare.mjs'), JSON.stringify({ port, ports: backendPorts })], { cwd: root, name: 'bare Node proxy' });
        procs.push(p);
        await answering(p, port);
        contenders.push({ key: 'bare', label: 'bare Node proxy (ref.)', port });
      }
      if (!opts.quick) {
        await writeFile(join(root, 'bare-undici.mjs'), BARE_UNDICI_JS(pathToFileURL(join(REPO, 'node_modules', 'undici', 'index.js')).href));
        const [port] = await allocatePorts(1);
        const p = await startProcess(process.execPath, [join(root, 'bare-undici.mjs'), JSON.stringify({ port, ports: backendPorts })], { cwd: root, name: 'bare undici proxy' });
        procs.push(p);
        await answering(p, port);
        contenders.push({ key: 'bareUndici', label: 'bare undici proxy (ref.)', port });
      }
      if (!haveNginx) {
        console.log(`nginx is not installed (${NGINX}): install it with \`apt-get install wrk nginx-light\`; skipping the comparison.`);
      } else {
        const dir = join(root, 'nginx');
        await mkdir(dir, { recursive: true });
        await chmod(dir, 0o777);
        const [port] = await allocatePorts(1);
        await writeFile(join(dir, 'nginx.conf'), nginxConf(dir, port, backendPorts));
        const p = await startProcess(NGINX, ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], { cwd: dir, name: 'nginx' });
        procs.push(p);
        await answering(p, port);
        contenders.push({ key: 'nginx', label: 'nginx (keepalive 64)', port });
      }

      const runs = new Map(contenders.map((c) => [c.key, []]));
      for (const c of contenders) await warmUp(`http://127.0.0.1:${c.port}/`, opts);
      for (let round = 1; round <= opts.rounds; round++) {
        console.log(`round ${round} of ${opts.rounds}`);
        for (const c of contenders) runs.get(c.key).push(await measure(c.label, `http://127.0.0.1:${c.port}/`, opts));
      }
      console.log(`\nmedians of ${opts.rounds} rounds`);
      for (const c of contenders) results[c.key] = medianResult(c.label, runs.get(c.key));
      verdicts(results);
    }
  } finally {
    await Promise.all(procs.map(stopProcess));
    for (const p of procs) if (p.child.pid && isAlive(p.child.pid)) p.child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  }

  if (!opts.skipRegistry && existsSync(join(REPO, 'bench', 'lib', 'registry-bench.js'))) {
    console.log('');
    const { registryBench } = await import('./lib/registry-bench.js');
    try {
      await registryBench();
    } catch (err) {
      console.error(`registry benchmark broke: ${err.message}`);
      return 1;
    }
  }
  return 0;
}

function verdicts(r) {
  console.log('');
  const rows = [['', 'figure', 'target', '']];
  for (const strategy of ['round-robin', 'qos']) {
    const t = r[strategy];
    if (!t) continue;
    if (r.nginx) {
      const ratio = t.rps / r.nginx.rps;
      rows.push([`tutti ${strategy} / nginx, req/s`, `${ratio.toFixed(2)}×`, `≥ ${TARGETS.throughput.toFixed(1)}×`, ratio >= TARGETS.throughput ? 'PASS' : 'MISS']);
    }
    if (r.direct && t.p50c1 !== undefined && r.direct.p50c1 !== undefined) {
      const added = t.p50c1 - r.direct.p50c1;
      rows.push([`tutti ${strategy} p50 over direct (1 connection)`, `+${added.toFixed(2)} ms`, `≤ ${TARGETS.addedP50Ms} ms`, added <= TARGETS.addedP50Ms ? 'PASS' : 'MISS']);
    }
  }
  if (r.bare) {
    for (const strategy of ['round-robin', 'qos']) {
      if (r[strategy]) rows.push([`tutti ${strategy} / bare Node proxy, req/s`, `${(r[strategy].rps / r.bare.rps).toFixed(2)}×`, '(info)', '']);
    }
    if (r.nginx) rows.push(['bare Node proxy / nginx, req/s', `${(r.bare.rps / r.nginx.rps).toFixed(2)}×`, '(info)', '']);
  }
  if (r.bareUndici) {
    for (const strategy of ['round-robin', 'qos']) {
      if (r[strategy]) rows.push([`tutti ${strategy} / bare undici proxy, req/s`, `${(r[strategy].rps / r.bareUndici.rps).toFixed(2)}×`, '(info)', '']);
    }
    if (r.nginx) rows.push(['bare undici proxy / nginx, req/s', `${(r.bareUndici.rps / r.nginx.rps).toFixed(2)}×`, '(info)', '']);
  }
  if (r.nginx && r.direct && r.nginx.p50c1 !== undefined) {
    rows.push(['nginx p50 over direct (1 connection)', `+${(r.nginx.p50c1 - r.direct.p50c1).toFixed(2)} ms`, '(info)', '']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) console.log(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ').trimEnd());
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(`bench discovery broke: ${err.message}`);
    process.exitCode = 1;
  },
);
