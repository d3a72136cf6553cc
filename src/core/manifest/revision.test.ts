import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../spec.js';
import { canonicalJson, serviceRevision, type RevisionInput } from './revision.js';

const base: RevisionInput = {
  command: ['node', 'a.js'],
  cwd: '/srv/shop',
  env: { A: '1', B: '2' },
  port: 0,
  stopSignal: 'SIGTERM',
};

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 1, e: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"e":2,"f":1}]},"b":1}');
  });
});

describe('serviceRevision', () => {
  it('is 12 hex characters and ignores key order', () => {
    const rev = serviceRevision(base);
    expect(rev).toMatch(/^[0-9a-f]{12}$/);
    expect(serviceRevision({ stopSignal: 'SIGTERM', port: 0, env: { B: '2', A: '1' }, cwd: '/srv/shop', command: ['node', 'a.js'] })).toBe(rev);
  });

  it.each<[string, Partial<RevisionInput>]>([
    ['command', { command: ['node', 'b.js'] }],
    ['argv boundaries', { command: ['node a.js'] }],
    ['env value', { env: { A: '1', B: '3' } }],
    ['env key', { env: { A: '1', C: '2' } }],
    ['cwd', { cwd: '/srv/other' }],
    ['port', { port: 8080 }],
    ['image', { image: 'shop:2' }],
    ['health', { health: { http: '/healthz', intervalMs: 2000, timeoutMs: 1000, healthyAfter: 1, unhealthyAfter: 3, startPeriodMs: 0 } }],
    ['stop signal', { stopSignal: 'SIGINT' }],
  ])('changes with the %s', (_what, change) => {
    expect(serviceRevision({ ...base, ...change })).not.toBe(serviceRevision(base));
  });

  it('ignores what is applied without new instances: protocol, selection, metrics path, scale', () => {
    const service: ServiceSpec = {
      ...base, name: 'api', replicas: 1, dependsOn: {}, restart: 'always', stopGraceMs: 10_000, importance: 1, readyTimeoutMs: 60_000,
      backoff: { initialMs: 100, factor: 2, maxMs: 30_000, resetAfterMs: 30_000 }, logs: { maxBytes: 1024, maxFiles: 5 }, revision: '',
    };
    const reconfigured: ServiceSpec = {
      ...service,
      protocol: 'tcp',
      metricsPath: '/metrics',
      selection: { strategy: 'random', weights: { latency: 1, success: 0, load: 0, health: 0 }, outlier: { consecutiveFailures: 1, baseEjectionMs: 1, maxEjectionMs: 1 } },
      replicas: 7,
    };
    expect(serviceRevision(reconfigured)).toBe(serviceRevision(base));
  });
});
