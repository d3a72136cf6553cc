// Discovery end to end, through a real daemon and real processes: the stable endpoint's QoS
// balancing, outlier ejection and retries, external instances with a TTL and the watch
// stream, the DNS interface, and what survives a daemon restart.
import http from 'node:http';
import { promises as dns } from 'node:dns';
import type { AddressInfo } from 'node:net';
import { createParser } from 'eventsource-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load } from './fixtures/load.js';
import { alive, nodeService, Project, waitFor } from './helpers/tutti.js';
import { freePort } from './fixtures/free-port.js';

describe('discovery through a real daemon', () => {
  let p: Project;
  let dnsPort: number;
  let external: http.Server;
  let externalPort: number;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${p.daemon().url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${p.token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const endpoint = async (service: string): Promise<string> => {
    const ps = await p.json('ps');
    return ps.services.find((s: any) => s.name === service).endpoint;
  };
  const instances = async (service: string) => (await p.json('ps')).instances.filter((i: any) => i.service === service && i.state === 'running');

  beforeAll(async () => {
    dnsPort = await freePort('udp');
    external = http.createServer((_req, res) => res.end('external'));
    await new Promise<void>((r) => external.listen(0, '127.0.0.1', r));
    externalPort = (external.address() as AddressInfo).port;
    p = new Project(`
name: disco
dns: { port: ${dnsPort} }
selection:
  weights: { latency: 1 }
services:
  fast:
    command: ${nodeService('qos.mjs')}
    replicas: 2
    env: { SLOW: fast-2, DELAY_MS: "50" }
    health: { http: /healthz, interval: 200ms }
    selection:
      outlier: { consecutive_failures: 3, base_ejection: 5s }
  even:
    command: ${nodeService('qos.mjs')}
    replicas: 2
    env: { SLOW: even-2, DELAY_MS: "50" }
    health: { http: /healthz, interval: 200ms }
    selection: { strategy: round-robin }
`);
    const up = await p.tutti('up');
    expect(up.code, up.stdout + up.stderr).toBe(0);
  });
  afterAll(async () => {
    await p.cleanup();
    external.close();
    external.closeAllConnections();
  });

  it('sends the large majority of requests to the fast instance with latency-heavy weights', async () => {
    const r = await load(await endpoint('fast'), { requests: 400, concurrency: 8 });
    expect(r.errors).toEqual([]);
    const share = (r.byBody['fast-1'] ?? 0) / r.total;
    expect(share, `fast-1 got ${(share * 100).toFixed(1)}% of ${r.total} (${JSON.stringify(r.byBody)})`).toBeGreaterThan(0.8);
  });

  it('splits requests evenly with round-robin, whatever the latency', async () => {
    const r = await load(await endpoint('even'), { requests: 200, concurrency: 8 });
    expect(r.errors).toEqual([]);
    const share = (r.byBody['even-1'] ?? 0) / r.total;
    expect(share, `even-1 got ${(share * 100).toFixed(1)}% (${JSON.stringify(r.byBody)})`).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
  });

  it('ejects an instance that answers 500 within 3 requests, and takes it back once it recovers', async () => {
    const url = await endpoint('fast');
    const victim = (await instances('fast')).find((i: any) => i.id === 'fast-1');
    await fetch(`http://127.0.0.1:${victim.port}/admin/fail`, { method: 'POST' });
    const r = await load(url, { requests: 60, concurrency: 1 }); // ~3 s: within one ejection period
    expect(r.byStatus[500] ?? 0, JSON.stringify(r.byStatus)).toBeLessThanOrEqual(3);
    expect(r.byStatus[500] ?? 0).toBeGreaterThan(0); // it did get traffic until ejected
    await fetch(`http://127.0.0.1:${victim.port}/admin/ok`, { method: 'POST' });
    await waitFor(async () => ((await load(url, { requests: 20, concurrency: 1 })).byBody['fast-1'] ?? 0) > 0, {
      timeout: 15_000,
      message: 'fast-1 to receive traffic again after its ejection',
    });
    const scores = await p.json('instances', 'fast', '--scores');
    expect(JSON.stringify(scores)).toContain('fast-1');
  });

  it('loses no request when an instance is killed under a steady load of GETs', async () => {
    const url = await endpoint('even');
    const victim = (await instances('even'))[0];
    let stop = false;
    const running = load(url, { until: () => stop, concurrency: 8 });
    await waitFor(async () => (await fetch(url)).ok);
    process.kill(victim.pid, 'SIGKILL');
    await waitFor(async () => (await instances('even')).length === 2 && !(await instances('even')).some((i: any) => i.pid === victim.pid), {
      timeout: 20_000,
      message: 'the killed instance to be replaced',
    });
    stop = true;
    const r = await running;
    expect(r.errors, `${r.errors.length} of ${r.total} requests failed`).toEqual([]);
    expect(Object.keys(r.byStatus)).toEqual(['200']);
    expect(r.total).toBeGreaterThan(50);
  });

  it('turns a TTL instance that never heartbeats critical, stops sending it traffic, and reports each change once, in order', async () => {
    const events: any[] = [];
    const abort = new AbortController();
    const watching = (async () => {
      const res = await fetch(`${p.daemon().url}/api/v1/registry/watch?service=fast`, { headers: { authorization: `Bearer ${p.token()}` }, signal: abort.signal });
      const parser = createParser({ onEvent: (e) => events.push({ event: e.event, id: e.id, data: JSON.parse(e.data) }) });
      const decoder = new TextDecoder();
      for await (const chunk of res.body as any) parser.feed(decoder.decode(chunk, { stream: true }));
    })().catch(() => {});
    await waitFor(() => events.some((e) => e.event === 'reset'), { message: 'the watch snapshot' });

    const reg = await api('POST', '/registry/instances', {
      id: 'ext-1', service: 'fast', address: '127.0.0.1', port: externalPort,
      check: { ttl: '1500ms', deregister_critical_after: '1500ms' },
    });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const url = await endpoint('fast');
    await waitFor(async () => ((await load(url, { requests: 30, concurrency: 2 })).byBody.external ?? 0) > 0, { message: 'the external instance to get traffic' });
    await waitFor(async () => (await api('GET', '/registry/instances/ext-1')).body.status === 'critical', { message: 'the TTL to lapse' });
    const after = await load(url, { requests: 40, concurrency: 2 });
    expect(after.byBody.external ?? 0).toBe(0);
    await waitFor(async () => (await api('GET', '/registry/instances/ext-1')).status === 404, { message: 'the critical instance to be removed' });
    await waitFor(() => events.some((e) => e.event === 'change' && e.data.type === 'deregistered' && e.data.instance.id === 'ext-1'));
    abort.abort();
    await watching;

    const changes = events.filter((e) => e.event === 'change');
    const indexes = changes.map((e) => e.data.index);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(new Set(indexes).size).toBe(indexes.length);
    expect(changes.every((e) => Number(e.id) === e.data.index)).toBe(true);
    const ext = changes.filter((e) => e.data.instance.id === 'ext-1').map((e) => `${e.data.type}:${e.data.instance.status}`);
    expect(ext).toEqual(['registered:passing', 'updated:critical', 'deregistered:critical']);
  });

  it('answers DNS A and SRV queries for healthy instances', async () => {
    const resolver = new dns.Resolver();
    resolver.setServers([`127.0.0.1:${dnsPort}`]);
    expect(await resolver.resolve4('even.service.tutti')).toEqual(['127.0.0.1']); // one record per distinct address
    const srv = await resolver.resolveSrv('_even._tcp.service.tutti');
    const ports = (await instances('even')).map((i: any) => i.port).sort();
    expect(srv.map((s) => s.port).sort()).toEqual(ports);
    await expect(resolver.resolve4('nothing.service.tutti')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('refuses bad registrations with a clear message and changes nothing', async () => {
    const before = (await api('GET', '/registry/services')).body.index;
    const cases: Array<[unknown, RegExp]> = [
      [{ service: 'fast', address: '127.0.0.1' }, /port/],
      [{ service: 'fast', address: '127.0.0.1', port: 0 }, /port/],
      [{ service: 'fast', address: '127.0.0.1', port: 70000 }, /port/],
      [{ address: '127.0.0.1', port: 80 }, /service/],
    ];
    for (const [body, message] of cases) {
      const r = await api('POST', '/registry/instances', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.message).toMatch(message);
    }
    const unknown = await api('GET', '/registry/services/nope/instances');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/nope/);
    const badIndex = await api('GET', '/registry/services/fast/instances?index=abc');
    expect(badIndex.status).toBe(400);
    expect((await api('GET', '/registry/services')).body.index).toBe(before);
    const cli = await p.tutti('register', 'fast', '--address', '127.0.0.1', '--port', '0');
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/port/);
  });

  it('keeps endpoint ports and external registrations across a daemon restart', async () => {
    const reg = await api('POST', '/registry/instances', { id: 'ext-keep', service: 'even', address: '127.0.0.1', port: externalPort, check: { ttl: '5m' } });
    expect(reg.status).toBe(201);
    const before = await p.json('ps');
    const daemon = p.daemon().pid;
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !alive(daemon), { message: 'the daemon to die' });
    const after = await p.json('ps'); // starts the next daemon
    expect(after.services.map((s: any) => s.endpoint)).toEqual(before.services.map((s: any) => s.endpoint));
    const kept = await api('GET', '/registry/instances/ext-keep');
    expect(kept.status).toBe(200);
    expect(kept.body.status).toBe('passing');
    const listed = await p.json('instances', 'even');
    expect(JSON.stringify(listed)).toContain('ext-keep');
  });
});
