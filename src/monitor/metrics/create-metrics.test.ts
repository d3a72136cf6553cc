import { describe, expect, it } from 'vitest';
import type { StackStatus } from '../../orchestrator/types.js';
import { createMetrics, type MetricSources } from './create-metrics.js';
import { DAEMON_METRICS_PREFIX } from './exposition.js';
import { parsePromText } from './test-prom-text.js';

const status: StackStatus = {
  name: 'shop', file: '/x/tutti.yaml', dir: '/x', appliedAt: 0, health: 1,
  services: [{ name: 'web', state: 'running', desired: 1, replicas: 1, ready: 1, stopped: false, revision: 'r', importance: 1, health: 1, dependsOn: {} }],
  instances: [{ id: 'web-1', service: 'web', revision: 'r', slot: 0, address: '127.0.0.1', port: 4001, state: 'running', health: 'passing', ready: true, restarts: 0, createdAt: 0 }],
};

const sources = (over: Partial<MetricSources> = {}): MetricSources => ({
  status: () => status,
  stats: async () => ({ 'web-1': { cpu: 1, memory: 1234, cpuSeconds: 0.5 } }),
  scores: () => [],
  ...over,
});

describe('createMetrics', () => {
  it('renders a valid Prometheus exposition that includes requests counted before the first scrape', async () => {
    const m = createMetrics(sources());
    m.record({ service: 'web', instance: 'web-1', status: 200, durationSeconds: 0.004 });
    m.record({ service: 'web', instance: 'web-1', status: 502, durationSeconds: 0.2 });
    const { contentType, body } = await m.api.scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const fams = parsePromText(body);
    const value = (name: string, labels: Record<string, string>) =>
      [...fams.values()].flatMap((f) => f.samples).find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(fams.get('tutti_endpoint_requests_total')?.type).toBe('counter');
    expect(fams.get('tutti_endpoint_request_duration_seconds')?.type).toBe('histogram');
    expect(value('tutti_endpoint_requests_total', { service: 'web', instance: 'web-1', code: '2xx' })).toBe(1);
    expect(value('tutti_endpoint_requests_total', { code: '5xx' })).toBe(1);
    expect(value('tutti_endpoint_request_errors_total', { instance: 'web-1' })).toBe(1);
    expect(value('tutti_endpoint_request_duration_seconds_bucket', { le: '0.005' })).toBe(1);
    expect(value('tutti_endpoint_request_duration_seconds_count', {})).toBe(2);
    expect(value('tutti_instance_cpu_seconds_total', { instance: 'web-1' })).toBe(0.5);
    expect(value('tutti_instance_up', { service: 'web', instance: 'web-1' })).toBe(1);
    expect(value('tutti_stack_health', {})).toBe(1);
    expect(fams.get(`${DAEMON_METRICS_PREFIX}process_cpu_seconds_total`)?.type).toBe('counter');
    expect(fams.get(`${DAEMON_METRICS_PREFIX}process_resident_memory_bytes`)).toBeDefined();

    // counters go on between scrapes
    m.record({ service: 'web', instance: 'web-1', status: 200, durationSeconds: 0.004 });
    const again = parsePromText((await m.api.scrape()).body);
    expect(again.get('tutti_endpoint_requests_total')!.samples.find((s) => s.labels.code === '2xx')?.value).toBe(2);
  });

  it('escapes label values a service could choose', async () => {
    const m = createMetrics(sources({ status: () => null }), { daemonMetrics: false });
    m.record({ service: 'we"b\\x', instance: 'a\nb', status: 200, durationSeconds: 0 });
    const fams = parsePromText((await m.api.scrape()).body);
    expect(fams.get('tutti_endpoint_requests_total')!.samples[0].labels).toEqual({ service: 'we"b\\x', instance: 'a\nb', code: '2xx' });
  });

  it('samples the stored families for the series store and forgets counters of instances gone for long', async () => {
    let t = 10_000_000;
    const m = createMetrics(sources(), { daemonMetrics: false, now: () => t, forgetAfterMs: 1000 });
    m.record({ service: 'web', instance: 'web-1', status: 200, durationSeconds: 0.01 });
    m.record({ service: 'old', instance: 'old-1', status: 200, durationSeconds: 0.01 });
    const first = await m.samples(t);
    expect(first.filter((s) => s.name === 'tutti_endpoint_requests_total').map((s) => s.labels.instance)).toEqual(['web-1', 'old-1']);
    expect(first.find((s) => s.name === 'tutti_instance_resident_memory_bytes')?.v).toBe(1234);
    t += 5000;
    const later = await m.samples(t);
    expect(later.filter((s) => s.name === 'tutti_endpoint_requests_total').map((s) => s.labels.instance)).toEqual(['web-1']);
  });

  it('answers top with null while no stack is applied', async () => {
    expect(await createMetrics(sources({ status: () => null })).api.top()).toBeNull();
  });
});
