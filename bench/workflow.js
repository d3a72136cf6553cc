// Benchmark `workflow`: the workflow engine's throughput and per-task overhead, durable as
// shipped, against aws-local-stepfunctions (an Amazon States Language interpreter that keeps
// nothing on disk) running the same logic in the same run:
//   - `10 set`: ten `set` tasks / ten Pass states;
//   - `5 set + 5 call: http`: alternating, the calls going to a local no-op service (one
//     process of its own, keep-alive) / Task states whose local handler makes the same request.
// Each contender keeps 50 runs in flight (closed loop) in a process of its own; a figure is
// completed runs per second over the measured window, the median of the rounds. tutti's runs
// are durable: a SQLite store in a temp folder, every transition recorded by the run journal,
// and a run counts once its final state is committed. Per-task overhead is the time between a
// `set` task's started and completed events (p50/p99 over every set task of the window); with
// 50 runs interleaving on one event loop it includes the other runs' work in between.
// HTTP: both contenders send their requests through the same client, node:http with one
// keep-alive Agent (lib/agent-fetch.js; tutti gets it as its `fetch` option). Extra rows, for
// information: tutti with Node's global fetch (the engine's default), and tutti in memory (no
// store, no journal: what durability costs).
// Targets (issue): durable tutti ≥ 1.0× the peer's runs/s on both workloads; set p50 ≤ 1 ms.
// Usage: node bench/workflow.js [--concurrency N (50)] [--duration S (5)] [--warmup S (1)]
//                               [--rounds N (3)] [--only tutti|peer|tutti-memory|tutti-fetch]
//                               [--workload set10|mixed10]
//                               [--dist DIR (this checkout's dist/)] [--quick: 2 s, one round]
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { start } from './lib/exec.js';
import { waitAllAnswering } from './lib/poll.js';
import { allocatePorts } from './lib/proc.js';
import { median } from './lib/table.js';
import { WORKLOADS } from './lib/workflow-workloads.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const WORKER = join(REPO, 'bench', 'lib', 'workflow-worker.js');
const NOOP = join(REPO, 'bench', 'lib', 'noop-server.js');
const TARGETS = { ratio: 1.0, setP50Ms: 1.0 };
// measured by the issue's author on this kind of machine, 50 concurrent (for reference only)
const ISSUE_PEER = { set10: 4380, mixed10: 2797 };
// tutti-fetch: tutti with the global fetch, only where there are HTTP calls; tutti-memory: no store
const CONTENDERS = ['tutti', 'peer', 'tutti-memory', 'tutti-fetch'];
const INFO = { 'tutti-memory': 'tutti in memory (no store)', 'tutti-fetch': 'tutti with global fetch' };
const applies = (contender, workload) => contender !== 'tutti-fetch' || WORKLOADS[workload].steps.includes('h');

function options() {
  const { values } = parseArgs({
    options: {
      concurrency: { type: 'string', default: '50' },
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      rounds: { type: 'string', default: '3' },
      only: { type: 'string' },
      workload: { type: 'string' },
      dist: { type: 'string', default: join(REPO, 'dist') },
      quick: { type: 'boolean', default: false },
    },
  });
  if (values.quick) {
    const given = (name) => process.argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (!given('duration')) values.duration = '2';
    if (!given('rounds')) values.rounds = '1';
  }
  const num = (name, min, integer) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      throw new Error(`--${name} takes a ${integer ? 'whole ' : ''}number of at least ${min}, not ${values[name]}`);
    }
    return n;
  };
  if (values.only && !CONTENDERS.includes(values.only)) throw new Error(`--only takes ${CONTENDERS.join(', ')}, not ${values.only}`);
  if (values.workload && !WORKLOADS[values.workload]) throw new Error(`--workload takes ${Object.keys(WORKLOADS).join(' or ')}, not ${values.workload}`);
  return {
    concurrency: num('concurrency', 1, true),
    durationMs: num('duration', 0.5) * 1000,
    warmupMs: num('warmup', 0) * 1000,
    rounds: num('rounds', 1, true),
    contenders: values.only ? [values.only] : CONTENDERS,
    workloads: values.workload ? [values.workload] : Object.keys(WORKLOADS),
    dist: values.dist,
  };
}

/** One measurement in a fresh process; resolves with the worker's JSON line. */
async function measure(contender, workload, noopUrl, opts) {
  const config = { contender, workload, noopUrl, concurrency: opts.concurrency, warmupMs: opts.warmupMs, durationMs: opts.durationMs, dist: opts.dist };
  const timeoutMs = opts.warmupMs + opts.durationMs + 60_000;
  const { code, signal, output } = await start(process.execPath, [WORKER, JSON.stringify(config)], { cwd: REPO, timeoutMs }).done;
  const line = output.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (code !== 0 || !line) throw new Error(`${contender} on ${workload} exited with ${code ?? signal}:\n${output.trim()}`);
  const result = JSON.parse(line);
  if (result.faulted > 0) throw new Error(`${contender} on ${workload}: ${result.faulted} run(s) did not complete (${result.firstProblem})`);
  return result;
}

const fmtRate = (n) => (n === undefined ? '—' : Math.round(n).toLocaleString('en-US'));
const fmtMs = (ms) => (ms === undefined ? '—' : `${ms < 0.1 ? ms.toFixed(3) : ms.toFixed(2)} ms`);

function printTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const row of rows) console.log(row.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('   ').trimEnd());
}

async function main() {
  const opts = options();
  if (opts.contenders.includes('tutti') && !existsSync(join(opts.dist, 'workflow', 'index.js'))) {
    throw new Error(`${join(opts.dist, 'workflow', 'index.js')} not found: build first with \`npm run build\``);
  }
  console.log(`workflow: ${opts.concurrency} runs in flight, ${opts.warmupMs / 1000} s warm-up + ${opts.durationMs / 1000} s measured, ${opts.rounds} round(s), medians`);
  console.log(`tutti durable (SQLite, run journal, final state committed) vs aws-local-stepfunctions (in memory)`);
  console.log(`node ${process.version} · ${os.platform()} ${os.arch()} · ${os.cpus().length} CPUs\n`);

  const [port] = await allocatePorts(1);
  const noop = start(process.execPath, [NOOP], { cwd: REPO, env: { ...process.env, PORT: String(port) }, timeoutMs: 3_600_000 });
  const results = {};
  try {
    await waitAllAnswering([port], {
      deadlineMs: 10_000,
      failed: () => (noop.exited() ? new Error(`the no-op server exited:\n${noop.exited().output}`) : undefined),
    });
    const noopUrl = `http://127.0.0.1:${port}`;
    for (let round = 1; round <= opts.rounds; round++) {
      for (const workload of opts.workloads) {
        for (const contender of opts.contenders.filter((c) => applies(c, workload))) {
          const r = await measure(contender, workload, noopUrl, opts);
          ((results[workload] ??= {})[contender] ??= []).push(r);
          const extra = contender !== 'peer'
            ? `   set task p50 ${fmtMs(r.setTaskMs.p50)}  p99 ${fmtMs(r.setTaskMs.p99)}   ${r.commitsPerRun?.toFixed(2) ?? '—'} commits/run   (${r.api})`
            : '';
          const cpu = r.cpuMsPerRun === undefined ? '' : `  ${fmtMs(r.cpuMsPerRun).padStart(8)} CPU/run`;
          console.log(`  round ${round}  ${WORKLOADS[workload].label.padEnd(22)} ${contender.padEnd(12)} ${fmtRate(r.runsPerSecond).padStart(7)} runs/s${cpu}${extra}`);
        }
      }
    }
  } finally {
    noop.child.kill('SIGTERM');
    await noop.done.catch(() => {});
  }

  console.log(`\nmedians of ${opts.rounds} round(s), ${opts.concurrency} concurrent`);
  const rows = [['workload', 'tutti runs/s', 'peer runs/s', 'tutti/peer', 'target', '', 'issue\'s peer figure']];
  const overhead = [['workload', 'set task p50', 'p99', 'target (p50)', '']];
  for (const workload of opts.workloads) {
    const tutti = results[workload]?.tutti;
    const peer = results[workload]?.peer;
    const t = tutti ? median(tutti.map((r) => r.runsPerSecond)) : undefined;
    const p = peer ? median(peer.map((r) => r.runsPerSecond)) : undefined;
    const ratio = t !== undefined && p ? t / p : undefined;
    rows.push([
      WORKLOADS[workload].label, fmtRate(t), fmtRate(p), ratio === undefined ? '—' : `${ratio.toFixed(2)}×`,
      `≥ ${TARGETS.ratio.toFixed(1)}×`, ratio === undefined ? '' : ratio >= TARGETS.ratio ? 'PASS' : 'MISS', fmtRate(ISSUE_PEER[workload]),
    ]);
    if (tutti) {
      const p50 = median(tutti.map((r) => r.setTaskMs.p50).filter((v) => v !== undefined));
      const p99 = median(tutti.map((r) => r.setTaskMs.p99).filter((v) => v !== undefined));
      overhead.push([WORKLOADS[workload].label, fmtMs(p50), fmtMs(p99), `≤ ${TARGETS.setP50Ms} ms`, p50 === undefined ? '' : p50 <= TARGETS.setP50Ms ? 'PASS' : 'MISS']);
    }
  }
  for (const [contender, what] of Object.entries(INFO)) {
    for (const workload of opts.workloads) {
      const info = results[workload]?.[contender];
      const peer = results[workload]?.peer;
      if (!info) continue;
      const t = median(info.map((r) => r.runsPerSecond));
      const p = peer ? median(peer.map((r) => r.runsPerSecond)) : undefined;
      rows.push([`${WORKLOADS[workload].label}, ${what}`, fmtRate(t), fmtRate(p), p ? `${(t / p).toFixed(2)}×` : '—', '(info)', '', '']);
    }
  }
  printTable(rows);
  // runs/s moves with whatever else the machine runs; CPU time per run much less so
  const cpuRows = [['workload', 'tutti CPU/run', 'peer CPU/run', 'tutti runs per CPU-second / peer\'s']];
  const cpuOf = (list) => (list ? median(list.map((r) => r.cpuMsPerRun).filter((v) => v !== undefined)) : undefined);
  for (const workload of opts.workloads) {
    for (const contender of ['tutti', ...Object.keys(INFO)]) {
      const t = cpuOf(results[workload]?.[contender]);
      const p = cpuOf(results[workload]?.peer);
      if (t === undefined) continue;
      const label = contender === 'tutti' ? WORKLOADS[workload].label : `${WORKLOADS[workload].label}, ${INFO[contender]}`;
      cpuRows.push([label, fmtMs(t), fmtMs(p), t && p ? `${(p / t).toFixed(2)}×` : '—']);
    }
  }
  if (cpuRows.length > 1) {
    console.log('\nCPU time of the measuring process per completed run (medians; less sensitive to other load than runs/s)');
    printTable(cpuRows);
  }
  if (overhead.length > 1) {
    console.log('\nper-task engine overhead of tutti (set tasks, started → completed, durable)');
    printTable(overhead);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`bench workflow broke: ${err.message}`);
    process.exitCode = 1;
  },
);
