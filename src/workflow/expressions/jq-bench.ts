// Measures runtime-expression cost: our compile-once driver of libjq against jq-web's own
// per-call API (which runs jq's `main`, compiling the filter every time). Not a test; run it
// with `npx tsc -p tsconfig.json --outDir /tmp/out && node /tmp/out/workflow/expressions/jq-bench.js`
// (the bench/ suite will take it over with the workflow benchmark).

import { createRequire } from 'node:module';
import { compileExpression, evaluate } from './expression.js';

function percentiles(samples: number[]): { p50: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: s[Math.floor(s.length / 2)], p99: s[Math.floor(s.length * 0.99)] };
}

function time(n: number, fn: () => void): { p50: number; p99: number } {
  for (let i = 0; i < Math.min(200, n); i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return percentiles(samples);
}

const fmt = (r: { p50: number; p99: number }) => `p50 ${r.p50.toFixed(1)} µs  p99 ${r.p99.toFixed(1)} µs`;

async function main(): Promise<void> {
  const input = { order: { id: 'o-1', items: [{ sku: 'a', qty: 2 }, { sku: 'b', qty: 1 }] }, customer: 'ann' };
  const filter = '{ id: .order.id, count: (.order.items | map(.qty) | add), customer }';
  const rss0 = process.memoryUsage().rss;
  let t = performance.now();
  const expr = compileExpression(filter, '/bench');
  console.log(`first compile (instantiates libjq): ${(performance.now() - t).toFixed(1)} ms, rss +${((process.memoryUsage().rss - rss0) / 1e6).toFixed(1)} MB`);
  t = performance.now();
  for (let i = 0; i < 200; i++) compileExpression(`${filter} | .n${i} = ${i}`, '/bench');
  console.log(`compile: ${((performance.now() - t) / 200).toFixed(3)} ms per expression`);
  console.log(`tutti evaluate, small filter:          ${fmt(time(20000, () => evaluate(expr, input)))}`);
  const withVars = compileExpression('$context.orderId + "/" + .order.id + "/" + $workflow.id', '/bench');
  const args = { $context: { orderId: 'x' }, $workflow: { id: 'run-1' } };
  console.log(`tutti evaluate, with $context/$workflow: ${fmt(time(20000, () => evaluate(withVars, input, args)))}`);
  const identity = compileExpression('.', '/bench');
  console.log(`tutti evaluate, identity:              ${fmt(time(20000, () => evaluate(identity, input)))}`);
  const big = { items: Array.from({ length: 1000 }, (_, i) => ({ id: i, name: `n${i}` })) };
  const sel = compileExpression('[.items[] | select(.id % 10 == 0) | .name]', '/bench');
  console.log(`tutti evaluate, 1000-item input:       ${fmt(time(2000, () => evaluate(sel, big)))}`);
  const require = createRequire(import.meta.url);
  const jqWeb = (await require('jq-web')) as { json(input: unknown, filter: string): unknown };
  console.log(`jq-web json() per call (main each time): ${fmt(time(2000, () => jqWeb.json(input, filter)))}`);
  console.log(`rss now ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
}

await main();
