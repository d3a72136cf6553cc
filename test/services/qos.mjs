// Test service for balancing: an HTTP server on $PORT answering its instance id. Instances
// listed in SLOW (comma-separated ids) add DELAY_MS to every answer. POST /admin/fail makes
// this instance answer 500 to everything but /healthz and /admin/*; POST /admin/ok heals it.
import http from 'node:http';

const name = process.env.TUTTI_INSTANCE ?? 'unknown';
const slow = (process.env.SLOW ?? '').split(',').includes(name);
const delay = slow ? Number(process.env.DELAY_MS ?? 50) : 0;
let failing = false;

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') return void res.end('ok');
  if (req.url === '/admin/fail' || req.url === '/admin/ok') {
    failing = req.url === '/admin/fail';
    return void res.end(failing ? 'failing' : 'ok');
  }
  const answer = () => {
    res.writeHead(failing ? 500 : 200, { 'content-type': 'text/plain' });
    res.end(name);
  };
  if (delay > 0) setTimeout(answer, delay);
  else answer();
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  // keep-alive connections held by a load generator must not keep it alive past the grace
  setTimeout(() => process.exit(0), 2000).unref();
});
