import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { HealthSpec } from '../../core/index.js';
import { createProber } from './index.js';

const check: HealthSpec = { tcp: true, intervalMs: 1000, timeoutMs: 1000, healthyAfter: 1, unhealthyAfter: 3, startPeriodMs: 0 };
const target = (port: number) => ({ address: '127.0.0.1', port, cwd: process.cwd(), env: {} });

describe('tcp probe', () => {
  it('is healthy when the port accepts a connection, and closes it', async () => {
    let closed = false;
    const server = net.createServer((socket) => socket.on('close', () => (closed = true)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      expect(await createProber().probe(check, target(port), AbortSignal.timeout(5000))).toEqual({ ok: true });
      const deadline = Date.now() + 3000;
      while (!closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(closed).toBe(true);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('reports a refused connection', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((r) => server.close(r));
    const result = await createProber().probe(check, target(port), AbortSignal.timeout(5000));
    expect(result).toEqual({ ok: false, message: `connect ECONNREFUSED 127.0.0.1:${port}` });
  });

  it('gives up when the caller aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await createProber().probe(check, target(1), controller.signal);
    expect(result).toEqual({ ok: false, message: 'probe cancelled' });
  });
});
