// Benchmark `startup`: a generated stack of N minimal Node HTTP servers, started by tutti and by
// PM2 in the same run on the same ports. Measures, from the outside and the same way for both:
//   1. time from spawning `tutti up` / `pm2 start` until every server answers HTTP 200;
//   2. resident memory (VmRSS) of the tool's daemon with all of them running;
//   3. kill -9 of one server → time until its port answers again from a new process (median).
// Usage: node bench/startup.js [--only tutti|pm2] [--services N] [--kills N] [--settle MS]
//                              [--deadline MS] [--tutti-bin PATH (default: this checkout's bin/tutti.js)]
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { run, start } from './lib/exec.js';
import { waitAllAnswering, waitAnsweredByNewPid, waitPortsClosed } from './lib/poll.js';
import { allocatePorts, isAlive, listenerPid, listeningSockets, rssBytes, ussBytes } from './lib/proc.js';
import { fmtMiB, fmtMs, median, printComparison } from './lib/table.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const PM2_BIN = join(REPO, 'node_modules', 'pm2', 'bin', 'pm2');
const TARGETS = { startup: 1.0, memory: 0.8, recovery: 1.2 };

// One server for every service; it reports its pid so a recovery is told apart from the
// process that was just killed. CommonJS, so no package.json is needed beside it.
const SERVER_JS = `const http = require('node:http');
const body = JSON.stringify({ pid: process.pid });
http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

function options() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      services: { type: 'string', default: '50' },
      kills: { type: 'string', default: '20' },
      settle: { type: 'string', default: '3000' },   // ms of memory sampling once all answer
      deadline: { type: 'string', default: '120000' }, // ms allowed for all to answer
      'tutti-bin': { type: 'string', default: join(REPO, 'bin', 'tutti.js') },
    },
  });
  if (values.only && !['tutti', 'pm2'].includes(values.only)) throw new Error(`--only takes tutti or pm2, not ${values.only}`);
  const int = (name) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} takes a whole number, not ${values[name]}`);
    return n;
  };
  return {
    tools: values.only ? [values.only] : ['tutti', 'pm2'],
    services: Math.max(1, int('services')),
    kills: int('kills'),
    settleMs: int('settle'),
    deadlineMs: int('deadline'),
    tuttiBin: values['tutti-bin'],
  };
}

const serviceName = (i, n) => `s${String(i + 1).padStart(String(n).length, '0')}`;

// ---- the two tools ------------------------------------------------------------------------

function tutti(dir, ports, bin) {
  const manifest = ['name: bench', 'services:'];
  ports.forEach((port, i) => {
    manifest.push(
      `  ${serviceName(i, ports.length)}:`,
      '    command: [node, server.js]',
      `    port: ${port}`,
      '    health: { http: /healthz, interval: 1s }',
    );
  });
  const daemonPid = async () => {
    const file = join(dir, '.tutti', 'daemon.json');
    const { pid } = JSON.parse(await readFile(file, 'utf8'));
    if (!Number.isInteger(pid)) throw new Error(`${file} has no pid`);
    return pid;
  };
  return {
    name: 'tutti',
    dir,
    files: { 'tutti.yaml': manifest.join('\n') + '\n' },
    check() {
      if (!existsSync(bin)) throw new Error(`${bin} not found: tutti's CLI is not there yet`);
    },
    start: () => start(process.execPath, [bin, 'up', dir], { cwd: dir, timeoutMs: 300_000 }),
    daemonPid,
    async stop() {
      // No daemon.json: no daemon was started, and the fallback kills anything left on our ports.
      if (!existsSync(join(dir, '.tutti', 'daemon.json'))) return undefined;
      const pid = await daemonPid().catch(() => undefined);
      await run(process.execPath, [bin, 'down'], { cwd: dir, timeoutMs: 120_000 });
      return pid;
    },
  };
}

function pm2(dir, ports, home) {
  const apps = ports.map((port, i) => ({
    name: serviceName(i, ports.length),
    script: 'server.js',
    cwd: dir,
    exec_mode: 'fork',
    autorestart: true,
    env: { PORT: String(port) },
  }));
  const env = { ...process.env, PM2_HOME: home };
  const daemonPid = async () => Number((await readFile(join(home, 'pm2.pid'), 'utf8')).trim());
  return {
    name: 'pm2',
    dir,
    files: { 'ecosystem.config.cjs': `module.exports = ${JSON.stringify({ apps }, null, 2)};\n` },
    check() {
      if (!existsSync(PM2_BIN)) throw new Error(`${PM2_BIN} not found: run npm install (pm2 is a dev dependency)`);
    },
    start: () => start(process.execPath, [PM2_BIN, 'start', 'ecosystem.config.cjs'], { cwd: dir, env, timeoutMs: 300_000 }),
    daemonPid,
    async stop() {
      const pid = await daemonPid().catch(() => undefined);
      if (existsSync(home)) await run(process.execPath, [PM2_BIN, 'kill'], { cwd: dir, env, timeoutMs: 60_000 });
      return pid;
    },
  };
}

// ---- measuring ----------------------------------------------------------------------------

async function measure(tool, ports, opts) {
  tool.check();
  await mkdir(tool.dir, { recursive: true });
  await writeFile(join(tool.dir, 'server.js'), SERVER_JS);
  for (const [file, text] of Object.entries(tool.files)) await writeFile(join(tool.dir, file), text);

  const result = { name: tool.name };
  let cli;
  try {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    cli = tool.start();
    const failed = () => {
      const exit = cli.exited();
      if (exit && exit.code !== 0) return new Error(`${tool.name} start exited with ${exit.code ?? exit.signal}:\n${exit.output.trim()}`);
      return undefined;
    };
    const last = await waitAllAnswering(ports, { deadlineMs: opts.deadlineMs, failed });
    result.startupMs = last - t0;
    const { user, system } = process.cpuUsage(cpu0);
    result.pollerCpuMs = (user + system) / 1000;
    const exit = await cli.done;
    if (exit.code !== 0) throw failed();
    result.cliMs = exit.at - t0;
    console.log(`${tool.name}: all ${ports.length} answering after ${fmtMs(result.startupMs)} (its command returned after ${fmtMs(result.cliMs)}; `
      + `the poller used ${fmtMs(result.pollerCpuMs)} of CPU)`);

    result.daemonPid = await tool.daemonPid();
    const samples = [];
    const privateSamples = [];
    const until = performance.now() + opts.settleMs;
    do {
      const rss = await rssBytes(result.daemonPid);
      if (rss === undefined) throw new Error(`${tool.name} daemon (pid ${result.daemonPid}) is gone`);
      samples.push(rss);
      const uss = await ussBytes(result.daemonPid);
      if (uss !== undefined) privateSamples.push(uss);
      await sleep(250);
    } while (performance.now() < until);
    result.rss = median(samples);
    result.uss = median(privateSamples);
    console.log(`${tool.name}: daemon pid ${result.daemonPid} holds ${fmtMiB(result.rss)} resident, ${fmtMiB(result.uss)} of it private `
      + `(medians of ${samples.length} samples over ${opts.settleMs} ms)`);

    result.recoveries = [];
    for (let i = 0; i < opts.kills; i++) {
      // A different server each time, so every kill is a first crash: restart backoff (tutti)
      // and min_uptime/max_restarts (PM2) are about crash loops, not what is measured here.
      const port = ports[i % ports.length];
      const pid = await listenerPid(port);
      if (!pid) throw new Error(`nothing listens on port ${port} before kill ${i + 1}`);
      const t = performance.now();
      process.kill(pid, 'SIGKILL');
      const answered = await waitAnsweredByNewPid(port, pid, { deadlineMs: 15_000 });
      result.recoveries.push(answered === undefined ? Infinity : answered - t);
    }
    if (opts.kills > 0) {
      result.recoveryMs = median(result.recoveries);
      const ok = result.recoveries.filter(Number.isFinite);
      console.log(`${tool.name}: kill -9 → answering again: median ${fmtMs(result.recoveryMs)} of ${opts.kills}`
        + (ok.length ? ` (min ${fmtMs(Math.min(...ok))}, max ${fmtMs(Math.max(...ok))})` : '')
        + (ok.length < opts.kills ? `, ${opts.kills - ok.length} never came back within 15 s` : ''));
    }
    return result;
  } finally {
    if (cli && !cli.exited()) cli.child.kill('SIGKILL'); // gave up waiting on a still-running `up`
    await stop(tool, ports);
  }
}

/** Stops the tool; whatever it leaves running on our ports (or its daemon) is killed by pid. */
async function stop(tool, ports) {
  let daemon;
  try {
    daemon = await tool.stop();
  } catch (err) {
    console.error(`${tool.name}: stopping failed: ${err.message}`);
    daemon = await tool.daemonPid().catch(() => undefined);
  }
  if (await waitPortsClosed(ports, { deadlineMs: 20_000 })) {
    if (daemon && isAlive(daemon)) await waitGone(daemon, 10_000);
    if (!daemon || !isAlive(daemon)) return;
  }
  console.error(`${tool.name}: left processes behind; killing them`);
  const listening = await listeningSockets();
  for (const port of ports.filter((p) => listening.has(p))) {
    const pid = await listenerPid(port);
    if (pid) process.kill(pid, 'SIGKILL');
  }
  if (daemon && isAlive(daemon)) process.kill(daemon, 'SIGKILL');
  if (!(await waitPortsClosed(ports, { deadlineMs: 10_000 }))) throw new Error(`${tool.name}: ports still taken after cleanup`);
}

async function waitGone(pid, deadlineMs) {
  const deadline = performance.now() + deadlineMs;
  while (isAlive(pid) && performance.now() < deadline) await sleep(50);
}

// ---- main -------------------------------------------------------------------------------

async function main() {
  const opts = options();
  const root = await mkdtemp(join(os.tmpdir(), 'tutti-bench-startup-'));
  const results = {};
  let broken = false;
  try {
    const ports = await allocatePorts(opts.services);
    const pm2Version = JSON.parse(await readFile(join(REPO, 'node_modules', 'pm2', 'package.json'), 'utf8')).version;
    console.log(`startup: ${opts.services} services (minimal Node HTTP servers, HTTP health check), ${opts.kills} kills`);
    console.log(`node ${process.version} · ${os.platform()} ${os.arch()} · ${os.cpus().length} CPUs · pm2 ${pm2Version}\n`);
    const tools = {
      tutti: () => tutti(join(root, 'tutti'), ports, opts.tuttiBin),
      pm2: () => pm2(join(root, 'pm2'), ports, join(root, 'pm2-home')),
    };
    for (const name of opts.tools) {
      if (!(await waitPortsClosed(ports, { deadlineMs: 10_000 }))) throw new Error('the benchmark ports are taken by something else');
      try {
        results[name] = await measure(tools[name](), ports, opts);
      } catch (err) {
        broken = true;
        console.error(`${name}: ${err.message}`);
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }

  const t = results.tutti ?? {};
  const p = results.pm2 ?? {};
  console.log('');
  printComparison([
    { label: `time to all ${opts.services} answering`, ours: t.startupMs, base: p.startupMs, format: fmtMs, target: TARGETS.startup },
    { label: 'daemon memory (RSS)', ours: t.rss, base: p.rss, format: fmtMiB, target: TARGETS.memory },
    { label: 'daemon private memory (USS)', ours: t.uss, base: p.uss, format: fmtMiB },
    ...(opts.kills > 0
      ? [{ label: `kill -9 → answering (median of ${opts.kills})`, ours: t.recoveryMs, base: p.recoveryMs, format: fmtMs, target: TARGETS.recovery }]
      : []),
  ]);
  return broken ? 1 : 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(`bench startup broke: ${err.message}`);
    process.exitCode = 1;
  },
);
