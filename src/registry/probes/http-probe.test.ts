import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthSpec } from '../../core/index.js';
import { createProber } from './index.js';

const check = (over: Partial<HealthSpec> = {}): HealthSpec => ({
  http: '/healthz', intervalMs: 1000, timeoutMs: 1000, healthyAfter: 1, unhealthyAfter: 3, startPeriodMs: 0, ...over,
});
const target = (port: number) => ({ address: '127.0.0.1', port, cwd: process.cwd(), env: {} });
const servers: http.Server[] = [];

async function serve(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('http probe', () => {
  it('is healthy on 2xx and 3xx and reports the path it asked for', async () => {
    const paths: string[] = [];
    const port = await serve((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(req.url === '/moved' ? 302 : 200, { location: '/elsewhere' }).end('ok');
    });
    const prober = createProber();
    expect(await prober.probe(check(), target(port), AbortSignal.timeout(5000))).toEqual({ ok: true });
    expect(await prober.probe(check({ http: '/moved' }), target(port), AbortSignal.timeout(5000))).toEqual({ ok: true });
    expect(paths).toEqual(['/healthz', '/moved']);
  });

  it('reports the status of an unhealthy answer', async () => {
    const port = await serve((_req, res) => res.writeHead(503).end('down'));
    const result = await createProber().probe(check(), target(port), AbortSignal.timeout(5000));
    expect(result).toEqual({ ok: false, message: 'GET /healthz returned 503' });
  });

  it('reports a refused connection with the address', async () => {
    const port = await freePort();
    const result = await createProber().probe(check(), target(port), AbortSignal.timeout(5000));
    expect(result.ok).toBe(false);
    expect(result.message).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('times out a server that never answers', async () => {
    const port = await serve(() => { /* never answers */ });
    const started = Date.now();
    const result = await createProber().probe(check({ timeoutMs: 300 }), target(port), AbortSignal.timeout(5000));
    expect(result).toEqual({ ok: false, message: 'timed out after 300ms' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('does not keep the connection open after the probe', async () => {
    let open = 0;
    const port = await serve((_req, res) => res.end('ok'));
    servers[0].on('connection', (socket) => {
      open++;
      socket.on('close', () => open--);
    });
    await createProber().probe(check(), target(port), AbortSignal.timeout(5000));
    const deadline = Date.now() + 3000;
    while (open > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(open).toBe(0);
  });
});
