// The no-op service of bench/workflow.js: answers every request with a small JSON body over
// keep-alive, nothing else. Runs in its own process (PORT from the environment) so the service's
// work never shares an event loop with the workflow engines being measured.
import http from 'node:http';

const body = Buffer.from('{"ok":true}');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
// the bench stops it with SIGTERM; keep-alive sockets would otherwise hold a graceful close open
process.on('SIGTERM', () => process.exit(0));
