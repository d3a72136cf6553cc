// Measures the engine's own cost: runs/s of a 10-task workflow at 50 concurrent runs with the run
// journal on a SQLite store (each run durable at its end), and the per-task overhead. CPU time
// per run is the figure to compare on a busy machine. Not a test;
// run it with `npx tsc -p tsconfig.json --outDir /tmp/out && node /tmp/out/workflow/engine/engine-bench.js`.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../store/index.js';
import { loadWorkflow } from '../definition/index.js';
import { createRunJournal } from '../durable/index.js';
import { runWorkflow } from './index.js';

const HEAD = `document: { dsl: '1.0.3', namespace: bench, name: ten, version: '1.0.0' }\n`;
const TASKS = 10;
const ten = (expr: boolean) =>
  loadWorkflow(
    HEAD +
      'do:\n' +
      Array.from({ length: TASKS }, (_, i) => (expr ? `  - t${i}: { set: { n: '\${ .n + 1 }' } }\n` : `  - t${i}: { set: { n: ${i} } }\n`)).join(''),
  );

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-engine-bench-'));
  const store = await openSqliteStore(join(dir, 'bench.db'));
  const journal = createRunJournal(store.workflows);
  try {
    for (const expr of [false, true]) {
      const def = ten(expr);
      // per-task overhead, one run at a time, no journal
      const lat: number[] = [];
      for (let i = 0; i < 3000; i++) {
        const t0 = performance.now();
        await runWorkflow(def, { input: { n: 0 } });
        lat.push((performance.now() - t0) / TASKS);
      }
      lat.sort((a, b) => a - b);
      // throughput with the journal
      const runs = 10_000;
      const concurrency = 50;
      let next = 0;
      const worker = async () => {
        while (next < runs) {
          const id = `${expr ? 'e' : 'l'}-${next++}`;
          journal.start({ id, workflow: 'ten', version: '1.0.0', input: { n: 0 }, state: { status: 'running' } });
          await runWorkflow(def, { runId: id, input: { n: 0 }, onTransition: (s) => journal.record(id, s) });
          await journal.flush();
        }
      };
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      await Promise.all(Array.from({ length: concurrency }, worker));
      const secs = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      console.log(
        `${TASKS} set tasks (${expr ? 'jq expressions' : 'literals'}): per task p50 ${(lat[lat.length >> 1] * 1000).toFixed(1)} µs, ` +
          `p99 ${(lat[Math.floor(lat.length * 0.99)] * 1000).toFixed(1)} µs; ${Math.round(runs / secs)} runs/s at ${concurrency} concurrent with the journal ` +
          `(${Math.round((cpu.user + cpu.system) / runs)} µs of CPU per run)`,
      );
    }
  } finally {
    await journal.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
