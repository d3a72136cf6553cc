import { describe, expect, it } from 'vitest';
import type { ScoredInstance } from '../../core/index.js';
import { collectFamilies, storedSamples, type MetricSnapshot } from './families.js';
import { RequestRecorder } from './request-recorder.js';

const scored = (id: string, score: number): ScoredInstance => ({
  id, score, terms: { latency: 1, success: 0.9, load: 0.5, health: 1 }, weights: { latency: 0.25, success: 0.25, load: 0.25, health: 0.25 }, successEwma: 0.9, inFlight: 1, requests: 10,
});

function snapshot(): MetricSnapshot {
  const requests = new RequestRecorder();
  requests.record({ service: 'web', instance: 'web-1', status: 200, durationSeconds: 0.002 });
  requests.record({ service: 'web', instance: 'web-1', status: 0, durationSeconds: 0.001 });
  return {
    status: {
      health: 0.75,
      services: [{ name: 'web', desired: 2, ready: 1 }],
      instances: [
        { id: 'web-1', service: 'web', state: 'running', ready: true, restarts: 1 },
        { id: 'web-2', service: 'web', state: 'backoff', ready: false, restarts: 4 },
      ],
    },
    usage: { 'web-1': { cpu: 12.5, memory: 50_000_000, cpuSeconds: 3.25 } },
    scores: new Map([['web', [scored('web-1', 0.8)]]]),
    registry: [
      { name: 'web', instances: 2, passing: 1, warning: 0, critical: 1, tags: [], declared: true },
      { name: 'ext', instances: 1, passing: 0, warning: 1, critical: 0, tags: [], declared: false },
    ],
    alerts: {
      intervalMs: 5000,
      rules: [
        {
          name: 'WebDown', when: 'x', forMs: 0, state: 'firing', labels: {}, annotations: {},
          alerts: [
            { rule: 'WebDown', state: 'firing', labels: { alertname: 'WebDown', service: 'web' }, annotations: {}, fingerprint: 'f', activeAt: 0, value: 1 },
            { rule: 'WebDown', state: 'resolved', labels: { alertname: 'WebDown', service: 'db' }, annotations: {}, fingerprint: 'g', activeAt: 0, value: 1 },
          ],
        },
      ],
    } as never,
    requests: requests.entries(),
  };
}

const flat = (snap: MetricSnapshot) =>
  Object.fromEntries(collectFamilies(snap).map((f) => [f.def.name, f.samples.map((s) => [s.name === f.def.name ? '' : s.name.slice(f.def.name.length), s.labels, s.value])]));

describe('collectFamilies', () => {
  it('measures status, process usage, scores, requests, registry and alerts', () => {
    const w1 = { service: 'web', instance: 'web-1' };
    const w2 = { service: 'web', instance: 'web-2' };
    const got = flat(snapshot());
    expect(got).toMatchObject({
      tutti_stack_health: [['', {}, 0.75]],
      tutti_service_ready_instances: [['', { service: 'web' }, 1]],
      tutti_service_desired_instances: [['', { service: 'web' }, 2]],
      tutti_instance_up: [['', w1, 1], ['', w2, 0]],
      tutti_instance_ready: [['', w1, 1], ['', w2, 0]],
      tutti_instance_restarts_total: [['', w1, 1], ['', w2, 4]],
      tutti_instance_cpu_seconds_total: [['', w1, 3.25]],
      tutti_instance_resident_memory_bytes: [['', w1, 50_000_000]],
      tutti_instance_qos_score: [['', w1, 0.8]],
      tutti_instance_qos_term: [['', { ...w1, term: 'latency' }, 1], ['', { ...w1, term: 'success' }, 0.9], ['', { ...w1, term: 'load' }, 0.5], ['', { ...w1, term: 'health' }, 1]],
      tutti_endpoint_in_flight_requests: [['', w1, 1]],
      tutti_endpoint_requests_total: [['', { ...w1, code: '2xx' }, 1], ['', { ...w1, code: 'error' }, 1]],
      tutti_endpoint_request_errors_total: [['', w1, 1]],
      tutti_registry_services: [['', {}, 2]],
      tutti_registry_instances: [['', { status: 'passing' }, 1], ['', { status: 'warning' }, 1], ['', { status: 'critical' }, 1]],
      tutti_alerts: [['', { alertname: 'WebDown', state: 'pending' }, 0], ['', { alertname: 'WebDown', state: 'firing' }, 1]],
      ALERTS: [['', { alertname: 'WebDown', alertstate: 'firing', service: 'web' }, 1]],
    });
    const hist = got.tutti_endpoint_request_duration_seconds;
    expect(hist.filter(([suffix]) => suffix === '_bucket')).toHaveLength(15);
    expect(hist.find(([suffix, l]) => suffix === '_bucket' && (l as Record<string, string>).le === '0.001')).toEqual(['_bucket', { ...w1, le: '0.001' }, 1]);
    expect(hist.find(([suffix, l]) => suffix === '_bucket' && (l as Record<string, string>).le === '+Inf')?.[2]).toBe(2);
    expect(hist.filter(([suffix]) => suffix !== '_bucket')).toEqual([['_sum', w1, 0.003], ['_count', w1, 2]]);
  });

  it('lists every family, empty ones too, when nothing is applied', () => {
    const fams = collectFamilies({ status: null });
    expect(fams.length).toBeGreaterThan(15);
    expect(fams.every((f) => f.samples.length === 0)).toBe(true);
  });
});

describe('storedSamples', () => {
  it('keeps the stored families only (not QoS terms nor alerts), stamped with t', () => {
    const samples = storedSamples(collectFamilies(snapshot()), 42);
    const names = new Set(samples.map((s) => s.name));
    expect(names.has('tutti_instance_cpu_seconds_total')).toBe(true);
    expect(names.has('tutti_endpoint_request_duration_seconds_bucket')).toBe(true);
    expect(names.has('tutti_instance_qos_term')).toBe(false);
    expect(names.has('ALERTS')).toBe(false);
    expect(names.has('tutti_alerts')).toBe(false);
    expect(samples.every((s) => s.t === 42)).toBe(true);
  });
});
