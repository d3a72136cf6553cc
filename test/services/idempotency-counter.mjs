// Test service for workflow crash-resume tests: an HTTP server on $PORT that counts the requests
// it receives per Idempotency-Key. Any path but /healthz and /counts counts the request, waits
// `?delay=` ms (so a test can kill the control plane while the call is in flight) and answers
// { key, seen } as JSON. GET /counts answers the counts so far, by key.
import http from 'node:http';

const counts = {};
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/healthz') return void res.end('ok');
  if (url.pathname === '/counts') {
    res.setHeader('content-type', 'application/json');
    return void res.end(JSON.stringify(counts));
  }
  const key = String(req.headers['idempotency-key'] ?? '');
  counts[key] = (counts[key] ?? 0) + 1;
  const seen = counts[key];
  req.resume();
  setTimeout(() => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ key, seen, path: url.pathname }));
  }, Number(url.searchParams.get('delay') ?? 0));
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`counting on ${process.env.PORT}`));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 2000).unref();
});
