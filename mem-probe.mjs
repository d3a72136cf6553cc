const rss = () => { globalThis.gc(); return process.memoryUsage().rss / 1048576; };
const heap = () => { globalThis.gc(); return process.memoryUsage().heapUsed / 1048576; };
let r = rss(), h = heap();
console.log('base rss', r.toFixed(1), 'heap', h.toFixed(1));
for (const m of process.argv.slice(2)) {
  await import(m);
  const r2 = rss(), h2 = heap();
  console.log(m.padEnd(45), 'rss +', (r2 - r).toFixed(1), 'heap +', (h2 - h).toFixed(1));
  r = r2; h = h2;
}
