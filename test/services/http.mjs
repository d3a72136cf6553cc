// Test service: an HTTP server on $PORT. GET /healthz answers 200 (or 503 until
// HEALTHY_AFTER_MS has passed); GET / answers the instance name and pid. Logs a line per
// request and stops gracefully on SIGTERM. TICK_MS > 0 prints a line on that interval.
import http from 'node:http';

const started = Date.now();
const healthyAfter = Number(process.env.HEALTHY_AFTER_MS ?? 0);
const name = process.env.TUTTI_INSTANCE ?? 'unknown';
const server = http.createServer((req, res) => {
  if (req.url === '/healthz') {
    const ok = Date.now() - started >= healthyAfter && process.env.NEVER_HEALTHY !== '1';
    res.writeHead(ok ? 200 : 503).end(ok ? 'ok' : 'not yet');
    return;
  }
  console.log(`request ${req.method} ${req.url}`);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({
    instance: name, pid: process.pid, version: process.env.VERSION ?? '1',
    service: process.env.TUTTI_SERVICE, mallocArenas: process.env.MALLOC_ARENA_MAX ?? null, tuttiUserArenas: process.env.TUTTI_USER_MALLOC_ARENA_MAX ?? null, stack: process.env.TUTTI_STACK, port: process.env.PORT,
    urls: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.endsWith('_URL'))),
  }));
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`listening on ${process.env.PORT} as ${name}`));
if (Number(process.env.TICK_MS) > 0) {
  let n = 0;
  setInterval(() => console.log(`tick ${++n}`), Number(process.env.TICK_MS));
}
process.on('SIGTERM', () => {
  console.log('SIGTERM: draining');
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 3000).unref();
});
