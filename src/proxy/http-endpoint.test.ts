import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startEndpoint, type ServiceEndpoint, type Target } from './http-endpoint.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function backend(name: string): Promise<Target> {
  const server = http.createServer((req, res) => res.end(`${name} ${req.method} ${req.url}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }));
  return { id: name, address: '127.0.0.1', port: (server.address() as AddressInfo).port };
}

async function endpoint(targets: () => Target[]): Promise<ServiceEndpoint> {
  const ep = await startEndpoint({ service: 'svc', host: '127.0.0.1', port: 0, targets });
  closers.push(() => ep.close());
  return ep;
}

describe('service endpoint', () => {
  it('balances requests over the ready instances', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const ep = await endpoint(() => [a, b]);
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await (await fetch(`${ep.url}/x?i=${i}`)).text()).split(' ')[0]);
    expect([...seen].sort()).toEqual(['a', 'b']);
    expect(await (await fetch(`${ep.url}/path?q=1`)).text()).toMatch(/^[ab] GET \/path\?q=1$/);
  });

  it('answers 503 naming the service when no instance is ready', async () => {
    const ep = await endpoint(() => []);
    const res = await fetch(`${ep.url}/`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe('no ready instance of service svc');
  });

  it('retries an idempotent request on another instance when one refuses the connection', async () => {
    const a = await backend('a');
    const dead: Target = { id: 'dead', address: '127.0.0.1', port: (await backend('tmp')).port };
    await closers.pop()!(); // close "tmp": its port now refuses connections
    const ep = await endpoint(() => [dead, a]);
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${ep.url}/`);
      expect(res.status).toBe(200);
    }
    const post = await Promise.all([0, 1].map(() => fetch(`${ep.url}/`, { method: 'POST', body: 'x' })));
    expect(post.map((r) => r.status).sort()).toEqual([200, 502]); // a body is never replayed
  });

  it('keeps a remembered port, and falls back to a free one when it is taken', async () => {
    const first = await endpoint(() => []);
    const second = await startEndpoint({ service: 'svc', host: '127.0.0.1', port: first.port, targets: () => [] });
    closers.push(() => second.close());
    expect(second.port).not.toBe(first.port);
    const port = first.port;
    await closers.shift()!();
    const again = await startEndpoint({ service: 'svc', host: '127.0.0.1', port, targets: () => [] });
    closers.push(() => again.close());
    expect(again.port).toBe(port);
  });
});
