// Metrics end to end against a real daemon: `/metrics` parses with a strict Prometheus
// text-format parser and carries the stack's series (instances, readiness, CPU and memory read
// from the OS, requests through a stable endpoint, the daemon's own process metrics); the
// http_sd endpoint lists the instances of the service that declares `metrics:`; `tutti top
// --once --json` answers every service; the shop's error-ratio rule fires on a table.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createSeriesStore, evaluate, parseExpr } from '../src/monitor/index.js';
import { parsePromText, type ParsedFamily } from '../src/monitor/metrics/test-prom-text.js';
import { nodeService, Project, ROOT, waitFor } from './helpers/tutti.js';

const health = '{ http: /healthz, interval: 100ms, timeout: 1s }';

describe('metrics of a running stack', () => {
  let p: Project;
  let viewer: string;
  const get = (urlPath: string, token: string | null = viewer) =>
    fetch(`${p.daemon().url}${urlPath}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const scrape = async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    return { type: res.headers.get('content-type'), families: parsePromText(await res.text()) };
  };
  const value = (f: ParsedFamily | undefined, labels: Record<string, string>) =>
    f?.samples.filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);

  beforeAll(async () => {
    p = new Project(`
name: measured
services:
  web:
    command: ${nodeService('http.mjs')}
    replicas: 2
    metrics: /metrics
    health: ${health}
  worker:
    command: ${nodeService('http.mjs')}
    health: ${health}
`);
    const up = await p.tutti('up');
    expect(up.code, up.stderr).toBe(0);
    viewer = readFileSync(path.join(p.dir, '.tutti', 'viewer.token'), 'utf8').trim();
  });
  afterAll(() => p.cleanup());

  it('needs a token for /metrics', async () => {
    expect((await get('/metrics', null)).status).toBe(401);
    expect((await get('/metrics', 'not-a-token')).status).toBe(401);
  });

  it('serves the stack\'s series in the Prometheus text format to a viewer token', async () => {
    const ps = await p.json('ps');
    const { type, families } = await scrape();
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    const up = families.get('tutti_instance_up')!;
    expect(up.type).toBe('gauge');
    expect(up.samples.map((s) => `${s.labels.service}/${s.labels.instance}=${s.value}`).sort()).toEqual(
      ps.instances.map((i: any) => `${i.service}/${i.id}=1`).sort(),
    );
    expect(value(families.get('tutti_service_ready_instances'), { service: 'web' })).toBe(2);
    expect(value(families.get('tutti_service_desired_instances'), { service: 'worker' })).toBe(1);
    expect(families.get('tutti_stack_health')!.samples).toEqual([{ name: 'tutti_stack_health', labels: {}, value: 1 }]);
    expect(families.get('tutti_instance_restarts_total')!.type).toBe('counter');
    // read from the OS for each process
    const mem = families.get('tutti_instance_resident_memory_bytes')!.samples;
    expect(mem.map((s) => s.labels.instance).sort()).toEqual(ps.instances.map((i: any) => i.id).sort());
    expect(mem.every((s) => s.value > 1_000_000)).toBe(true);
    expect(families.get('tutti_instance_cpu_seconds_total')!.samples.every((s) => s.value > 0)).toBe(true);
    // the registry the stable endpoints balance over
    expect(value(families.get('tutti_registry_services'), {})).toBe(2);
    expect(value(families.get('tutti_registry_instances'), { status: 'passing' })).toBe(3);
    // the daemon's own
    expect(families.get('tutti_daemon_process_cpu_seconds_total')?.type).toBe('counter');
    expect(families.get('tutti_daemon_process_resident_memory_bytes')!.samples[0].value).toBeGreaterThan(0);
  });

  it('counts requests through the stable endpoint per instance, with their durations', async () => {
    const web = (await p.json('ps')).services.find((s: any) => s.name === 'web');
    for (let i = 0; i < 20; i++) expect((await fetch(web.endpoint)).status).toBe(200);
    const families = await waitFor(async () => {
      const f = (await scrape()).families;
      return value(f.get('tutti_endpoint_requests_total'), { service: 'web', code: '2xx' }) === 20 && f;
    }, { message: '20 requests counted' });
    const requests = families.get('tutti_endpoint_requests_total')!;
    expect(new Set(requests.samples.map((s) => s.labels.instance)).size).toBeGreaterThanOrEqual(1);
    expect(value(families.get('tutti_endpoint_request_errors_total'), { service: 'web' })).toBe(0);
    const hist = families.get('tutti_endpoint_request_duration_seconds')!;
    expect(hist.type).toBe('histogram');
    expect(value(hist, { le: '+Inf' })).toBe(20);
    expect(hist.samples.filter((s) => s.name.endsWith('_count')).reduce((n, s) => n + s.value, 0)).toBe(20);
  });

  it('lists the instances of the service declaring metrics: for Prometheus http_sd', async () => {
    const ps = await p.json('ps');
    const res = await get('/api/v1/prometheus/targets');
    expect(res.status).toBe(200);
    const groups = (await res.json()) as Array<{ targets: string[]; labels: Record<string, string> }>;
    const web = ps.instances.filter((i: any) => i.service === 'web');
    expect(groups.map((g) => g.targets[0]).sort()).toEqual(web.map((i: any) => `127.0.0.1:${i.port}`).sort());
    for (const g of groups) {
      expect(g.labels).toEqual({
        __metrics_path__: '/metrics',
        stack: 'measured',
        service: 'web',
        instance: web.find((i: any) => `127.0.0.1:${i.port}` === g.targets[0]).id,
        tutti_revision: expect.any(String),
      });
    }
  });

  it('answers `tutti top --once --json` for every service', async () => {
    const view = await p.json('top', '--once');
    expect(view).toMatchObject({ stack: 'measured', health: 1, windowMs: 30_000 });
    expect(view.services.map((s: any) => [s.service, s.ready, s.desired, s.instances.length])).toEqual([
      ['web', 2, 2, 2],
      ['worker', 1, 1, 1],
    ]);
    const one = await p.json('top', 'worker', '--once');
    expect(one.services.map((s: any) => s.service)).toEqual(['worker']);
    const table = await p.tutti('top', '--once');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/SERVICE\/INSTANCE\s+READY\s+STATE\s+CPU\s+MEM\s+REQ\/S\s+P99\s+ERRORS\s+RESTARTS/);
    expect(table.stdout).toMatch(/^web\s+2\/2/m);
  });
});

describe("the shop's error-ratio rule", () => {
  const shop = parse(readFileSync(path.join(ROOT, 'examples', 'shop', 'tutti.yaml'), 'utf8'));
  const rule = shop.alerts.find((a: any) => a.name === 'HighErrorRatio');

  it.each([
    [100, 4, []],
    [100, 10, ['orders']],
  ])('with %d requests and %d errors per 5 s gives %j', (requests, errors, firing) => {
    const store = createSeriesStore();
    const t0 = 1_000_000_000;
    for (let k = 0; k <= 12; k++) {
      const t = t0 + k * 5000;
      const labels = { service: 'orders', instance: 'orders-1' };
      store.append('tutti_endpoint_requests_total', { ...labels, code: '2xx' }, t, (requests - errors) * k);
      store.append('tutti_endpoint_requests_total', { ...labels, code: '5xx' }, t, errors * k);
      store.append('tutti_endpoint_request_errors_total', labels, t, errors * k);
    }
    const v = evaluate(parseExpr(rule.when), store, t0 + 60_000);
    expect(v.type === 'vector' ? v.samples.map((s) => s.labels.service) : 'scalar').toEqual(firing);
  });
});
