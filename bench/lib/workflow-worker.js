// One measurement of bench/workflow.js, in a process of its own so neither contender inherits
// the other's JIT state or garbage: a closed loop keeping `concurrency` runs in flight for a
// warm-up and then a measured window, counting the runs completed in the window. Prints one JSON
// line: { runs, seconds, runsPerSecond, cpuMsPerRun, faulted, setTaskMs: { p50, p99, samples },
// commitsPerRun }.
//   tutti: the engine from the built code, durable as shipped: a SQLite store in a temp folder,
//          the run journal recording every transition (start + record from onTransition); a run
//          counts as completed once its final state is committed (journal.flush() after it ends).
//          Per-task overhead: performance.now() between a set task's `started` and `completed`.
//          HTTP through agent-fetch.js (node:http, one keep-alive Agent), given as the `fetch`
//          option; contender `tutti-fetch` is the same with Node's global fetch (the default),
//          `tutti-memory` the same without store or journal (what durability costs).
//   peer:  aws-local-stepfunctions' StateMachine (nothing on disk), Task states run by local
//          handlers making the same request through agent-fetch.js.
// Usage (from bench/workflow.js): node bench/lib/workflow-worker.js '<json options>'
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { agentFetch } from './agent-fetch.js';
import { aslMachine, dslDocument, setPointers } from './workflow-workloads.js';

const opts = JSON.parse(process.argv[2]);
const { contender, workload, noopUrl, concurrency, warmupMs, durationMs, dist } = opts;

function percentile(sorted, q) {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Keeps `concurrency` runs going; `runOne(measuring)` resolves true when the run completed. */
async function closedLoop(runOne) {
  const t0 = performance.now();
  const from = t0 + warmupMs;
  const until = from + durationMs;
  let runs = 0;
  let faulted = 0;
  let firstProblem;
  // CPU time of this process over the window: less at the mercy of other load than runs/s
  let cpuFrom;
  let cpuUntil;
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  // (taken by the lanes, not by timers: runs of Pass or set states alone never leave the
  // microtask queue, so a timer would fire only once the loop is over)
  const lane = async () => {
    for (;;) {
      const now = performance.now();
      if (now >= until) {
        cpuUntil ??= cpuMs();
        break;
      }
      const measuring = now >= from;
      if (measuring) cpuFrom ??= cpuMs();
      let ok;
      try {
        ok = await runOne(measuring);
      } catch (e) {
        ok = false;
        firstProblem ??= e instanceof Error ? e.message : String(e);
      }
      const at = performance.now();
      if (!ok) faulted++;
      else if (at >= from && at <= until) runs++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const cpuMsPerRun = cpuFrom !== undefined && cpuUntil !== undefined && runs > 0 ? (cpuUntil - cpuFrom) / runs : undefined;
  return { runs, faulted, firstProblem, seconds: durationMs / 1000, cpuMsPerRun };
}

async function measureTutti() {
  const base = pathToFileURL(`${dist}/`);
  const wf = await import(new URL('workflow/index.js', base).href);
  const { openSqliteStore } = await import(new URL('store/index.js', base).href);
  // the final API is startRun(def, options) → RunHandle; runWorkflow is startRun(...).result
  const run = wf.startRun ? (def, o) => wf.startRun(def, o).result : wf.runWorkflow;
  const def = await wf.loadWorkflow(JSON.stringify(dslDocument(workload, noopUrl)), { file: `${workload}.json` });
  const sets = setPointers(workload);

  const dir = await mkdtemp(join(os.tmpdir(), 'tutti-bench-workflow-'));
  const store = await openSqliteStore(join(dir, 'state.db'));
  let commits = 0;
  const repo = store.workflows;
  const save = repo.saveRunStates.bind(repo);
  repo.saveRunStates = (...args) => {
    commits++;
    return save(...args);
  };
  const journal = wf.createRunJournal(repo);
  await repo.putDefinition({ name: workload, version: '1.0.0', source: JSON.stringify(dslDocument(workload, noopUrl)), document: dslDocument(workload, noopUrl) });

  const durable = contender !== 'tutti-memory';
  const httpClient = agentFetch();
  const samples = [];
  let lastId;
  let n = 0;
  let commitsAtFrom;
  const runOne = async (measuring) => {
    if (measuring) commitsAtFrom ??= commits;
    const runId = randomUUID();
    const input = { id: ++n };
    const started = new Map();
    if (durable) journal.start({ id: runId, workflow: workload, version: '1.0.0', input, state: { status: 'running' } });
    const result = await run(def, {
      ...(contender !== 'tutti-fetch' ? { fetch: httpClient } : {}),
      runId,
      input,
      ...(durable ? { onTransition: (state) => journal.record(runId, state) } : {}),
      onTask: (e) => {
        if (!sets.has(e.pointer)) return;
        if (e.type === 'started') started.set(e.pointer, performance.now());
        else if (e.type === 'completed' && measuring) samples.push(performance.now() - started.get(e.pointer));
      },
    });
    if (durable) await journal.flush();
    if (result.status !== 'completed') throw new Error(`a run ended ${result.status}: ${JSON.stringify(result.error)}`);
    lastId = runId;
    return true;
  };
  const res = await closedLoop(runOne);
  const commitsInWindow = commits - (commitsAtFrom ?? 0);
  const last = lastId ? await repo.getRun(lastId) : undefined;
  await journal.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
  if (last && last.status !== 'completed') throw new Error(`run ${lastId} completed but the store says ${last.status}`);
  samples.sort((a, b) => a - b);
  return {
    ...res,
    api: wf.startRun ? 'startRun' : 'runWorkflow',
    commitsPerRun: durable && res.runs > 0 ? commitsInWindow / res.runs : undefined,
    setTaskMs: { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), samples: samples.length },
  };
}

async function measurePeer() {
  // aws-local-stepfunctions 3.0.0 calls Promise.withResolvers (Node 22+)
  if (typeof Promise.withResolvers !== 'function') {
    Promise.withResolvers = function withResolvers() {
      let resolve;
      let reject;
      const promise = new this((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    };
  }
  const { StateMachine } = await import('aws-local-stepfunctions');
  const { definition, handlers } = aslMachine(workload, noopUrl, agentFetch());
  const machine = new StateMachine(definition);
  let n = 0;
  const runOne = async () => {
    const execution = machine.run({ id: ++n }, { overrides: { taskResourceLocalHandlers: handlers } });
    await execution.result;
    return true;
  };
  return closedLoop(runOne);
}

const result = contender === 'peer' ? await measurePeer() : await measureTutti();
process.stdout.write(`${JSON.stringify({ ...result, runsPerSecond: result.runs / result.seconds })}\n`);
// the fetch pool keeps sockets open; nothing else is left to wait for
process.exit(0);
