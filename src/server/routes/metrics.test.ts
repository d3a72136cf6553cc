import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePromText } from '../../monitor/metrics/test-prom-text.js';
import { createMonitorControl, type MonitorControl } from '../monitor-control.js';
import { createTestApp, testStackSpec, type TestApp } from '../test-app.js';
import { TestOrchestrator } from '../test-orchestrator.js';

let t: TestApp | undefined;
let control: MonitorControl | undefined;
afterEach(async () => {
  await t?.close();
  await control?.close();
  t = control = undefined;
});

async function appWithMetrics(): Promise<{ t: TestApp; control: MonitorControl; orchestrator: TestOrchestrator }> {
  const orchestrator = new TestOrchestrator();
  const spec = testStackSpec();
  spec.services.orders.metricsPath = '/metrics';
  await orchestrator.apply(spec);
  orchestrator.instanceStats = { 'orders-1': { cpu: 3, memory: 4096, cpuSeconds: 1.5 } };
  control = createMonitorControl({ orchestrator, events: { add: async () => {} }, logger: pino({ level: 'silent' }), intervalMs: 3_600_000 });
  await control.setStack(spec);
  t = await createTestApp({ orchestrator, withStack: false, metrics: control.metrics, monitor: () => control!.monitor() });
  return { t, control, orchestrator };
}

describe('GET /metrics', () => {
  it('serves the Prometheus text format to a viewer token, with the requests recorded so far', async () => {
    const { t, control } = await appWithMetrics();
    control.record({ service: 'orders', instance: 'orders-1', method: 'GET', status: 200, durationSeconds: 0.01 } as never);
    const res = await t.app.inject({ url: '/metrics', headers: t.auth('viewer') });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const fams = parsePromText(res.body);
    expect(fams.get('tutti_instance_up')!.samples.map((s) => s.labels.instance).sort()).toEqual(['catalog-1', 'inventory-1', 'orders-1']);
    expect(fams.get('tutti_instance_cpu_seconds_total')!.samples).toEqual([{ name: 'tutti_instance_cpu_seconds_total', labels: { service: 'orders', instance: 'orders-1' }, value: 1.5 }]);
    expect(fams.get('tutti_endpoint_requests_total')!.samples[0]).toMatchObject({ labels: { service: 'orders', instance: 'orders-1', code: '2xx' }, value: 1 });
  });

  it('needs a token', async () => {
    const { t } = await appWithMetrics();
    expect((await t.app.inject({ url: '/metrics' })).statusCode).toBe(401);
  });

  it('answers 503 with a clear message when the control plane has no metrics', async () => {
    t = await createTestApp();
    const res = await t.app.inject({ url: '/metrics', headers: t.auth('viewer') });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ message: 'metrics are not available on this control plane' });
  });
});

describe('GET /api/v1/prometheus/targets', () => {
  it('lists the instances of services declaring metrics: in the http_sd format', async () => {
    const { t } = await appWithMetrics();
    const res = await t.app.inject({ url: '/api/v1/prometheus/targets', headers: t.auth('viewer') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      { targets: ['127.0.0.1:40002'], labels: { __metrics_path__: '/metrics', stack: 'shop', service: 'orders', instance: 'orders-1', tutti_revision: expect.any(String) } },
    ]);
  });
});

describe('GET /api/v1/top', () => {
  it('answers every service, or the asked ones', async () => {
    const { t } = await appWithMetrics();
    const all = (await t.app.inject({ url: '/api/v1/top', headers: t.auth('viewer') })).json();
    expect(all).toMatchObject({ stack: 'shop', windowMs: 30_000, health: 1 });
    expect(all.services.map((s: { service: string }) => s.service)).toEqual(['catalog', 'inventory', 'orders']);
    expect(all.services[2].instances[0]).toMatchObject({ instance: 'orders-1', ready: true, restarts: 0 });
    const one = (await t.app.inject({ url: '/api/v1/top?service=orders&window=1m', headers: t.auth('viewer') })).json();
    expect(one).toMatchObject({ windowMs: 60_000, services: [{ service: 'orders' }] });
  });

  it('refuses an unknown service and a bad window', async () => {
    const { t } = await appWithMetrics();
    const unknown = await t.app.inject({ url: '/api/v1/top?service=nope', headers: t.auth('viewer') });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'TUTTI_E_UNKNOWN_SERVICE' });
    const bad = await t.app.inject({ url: '/api/v1/top?window=soon', headers: t.auth('viewer') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/querystring\.window "soon"/);
  });
});
