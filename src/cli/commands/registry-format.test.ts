// What `tutti services`, `tutti instances` and `tutti register` show and accept: table rows
// and flag checks, as tables of cases.
import { describe, expect, it } from 'vitest';
import { TuttiError } from '../../core/index.js';
import type { RegistryInstance, ScoredInstance, ServiceSummary } from '../../client/index.js';
import { addressOf, instanceRows, scoreRows, weightsLine } from './instances.js';
import { heartbeatStatus, registerInputFromFlags, type RegisterFlags } from './register.js';
import { serviceRows } from './services.js';

// eslint-disable-next-line no-control-regex
const plain = (rows: string[][]) => rows.map((r) => r.map((c) => c.replace(/\x1b\[[0-9;]*m/g, '')));

const inst = (over: Partial<RegistryInstance>): RegistryInstance => ({
  id: 'orders-1',
  service: 'orders',
  address: '127.0.0.1',
  port: 8080,
  tags: [],
  meta: {},
  status: 'passing',
  source: 'local',
  registeredAt: 0,
  modifyIndex: 1,
  ...over,
});

const scored = (over: Partial<ScoredInstance>): ScoredInstance => ({
  id: 'orders-1',
  terms: { latency: 1, success: 1, load: 1, health: 1 },
  weights: { latency: 0.45, success: 0.3, load: 0.15, health: 0.1 },
  score: 1,
  successEwma: 1,
  inFlight: 0,
  requests: 0,
  ...over,
});

describe('tutti services rows', () => {
  it('shows counts by health, the tags and whether the stack declares it', () => {
    const services: ServiceSummary[] = [
      { name: 'orders', instances: 3, passing: 2, warning: 0, critical: 1, tags: ['blue', 'v2'], declared: true },
      { name: 'payments', instances: 0, passing: 0, warning: 0, critical: 0, tags: [], declared: false },
    ];
    expect(plain(serviceRows(services))).toEqual([
      ['orders', '3', '2', '0', '1', 'blue,v2', 'yes'],
      ['payments', '0', '0', '0', '0', '-', 'no'],
    ]);
  });
});

describe('tutti instances rows', () => {
  it('shows id, address:port, status, source, tags and a one-line output', () => {
    const rows = instanceRows([
      inst({}),
      inst({ id: 'pay-x', address: '::1', port: 9000, status: 'critical', source: 'external', tags: ['eu'], output: 'TTL of 10s expired\nwithout a heartbeat' }),
      inst({ id: 'long', output: 'x'.repeat(100) }),
    ]);
    expect(plain(rows)).toEqual([
      ['orders-1', '127.0.0.1:8080', 'passing', 'local', '-', '-'],
      ['pay-x', '[::1]:9000', 'critical', 'external', 'eu', 'TTL of 10s expired without a heartbeat'],
      ['long', '127.0.0.1:8080', 'passing', 'local', '-', `${'x'.repeat(59)}…`],
    ]);
  });

  it.each([
    [{ address: '10.0.0.7', port: 80 }, '10.0.0.7:80'],
    [{ address: 'fe80::1', port: 443 }, '[fe80::1]:443'],
    [{ address: 'pay.internal', port: 1 }, 'pay.internal:1'],
  ])('addressOf(%o) = %s', (i, want) => expect(addressOf(i)).toBe(want));
});

describe('tutti instances --scores rows', () => {
  const now = 1_000_000;
  it('shows each term, the score, in-flight and ejection; a critical instance has no score', () => {
    const rows = scoreRows(
      [inst({}), inst({ id: 'orders-2', port: 8081, status: 'warning' }), inst({ id: 'orders-3', status: 'critical' })],
      [
        scored({ latencyEwmaMs: 4.25, score: 0.9123 }),
        scored({
          id: 'orders-2',
          terms: { latency: 0.25, success: 0.5, load: 1 / 3, health: 0.5 },
          latencyEwmaMs: 17,
          score: 0.4,
          inFlight: 2,
          ejectedUntil: now + 8_000,
        }),
      ],
      now,
    );
    expect(plain(rows)).toEqual([
      ['orders-1', '127.0.0.1:8080', 'passing', '1.00 (4.3ms)', '1.00', '1.00', '1.00', '0.91', '0', '-'],
      ['orders-2', '127.0.0.1:8081', 'warning', '0.25 (17ms)', '0.50', '0.33', '0.50', '0.40', '2', 'for 8s'],
      ['orders-3', '127.0.0.1:8080', 'critical', '-', '-', '-', '-', '-', '-', '-'],
    ]);
  });

  it('shows no ejection once it has ended, and a term without samples bare', () => {
    const rows = scoreRows([inst({})], [scored({ ejectedUntil: now - 1 })], now);
    expect(plain(rows)[0].slice(3)).toEqual(['1.00', '1.00', '1.00', '1.00', '1.00', '0', '-']);
  });

  it('prints the weights and the strategy as the header line', () => {
    expect(weightsLine({ latency: 0.45, success: 0.3, load: 0.15, health: 0.1 }, 'qos')).toBe(
      'weights: latency 0.45 · success 0.30 · load 0.15 · health 0.10 · strategy qos',
    );
  });
});

describe('tutti register flags', () => {
  it.each<[string, RegisterFlags, object]>([
    ['a ttl check with tags and meta', { port: '8080', ttl: '30s', tag: ['eu', 'v2'], meta: ['version=1.4', 'url=http://x/?a=b'] },
      { service: 'pay', address: '127.0.0.1', port: 8080, tags: ['eu', 'v2'], meta: { version: '1.4', url: 'http://x/?a=b' }, check: { ttl: '30s' } }],
    ['an http check with its interval', { address: '10.0.0.7', port: '80', id: 'pay-1', http: '/healthz', interval: '2s', deregisterAfter: '5m' },
      { service: 'pay', address: '10.0.0.7', port: 80, id: 'pay-1', check: { http: '/healthz', interval: '2s', deregister_critical_after: '5m' } }],
    ['a tcp check', { port: '5432', tcp: true }, { service: 'pay', address: '127.0.0.1', port: 5432, check: { tcp: true } }],
    ['no check', { port: '1' }, { service: 'pay', address: '127.0.0.1', port: 1 }],
  ])('%s', (_name, flags, want) => {
    expect(registerInputFromFlags('pay', flags)).toEqual(want);
  });

  it.each<[RegisterFlags, string, RegExp]>([
    [{}, '--port', /--port is required/],
    [{ port: '0' }, '--port', /--port "0" is not a port number/],
    [{ port: '70000' }, '--port', /not a port number/],
    [{ port: '80a' }, '--port', /not a port number/],
    [{ port: '80', ttl: '10s', http: '/h' }, '--http', /--http cannot be combined with --ttl/],
    [{ port: '80', http: '/h', tcp: true }, '--tcp', /--tcp cannot be combined with --http/],
    [{ port: '80', ttl: 'soon' }, '--ttl', /--ttl "soon" is not a duration/],
    [{ port: '80', ttl: '10s', interval: '1s' }, '--interval', /--interval applies to --http and --tcp checks only/],
    [{ port: '80', tcp: true, interval: '0s' }, '--interval', /--interval "0s" is not a duration/],
    [{ port: '80', deregisterAfter: '1x' }, '--deregister-after', /--deregister-after "1x"/],
    [{ port: '80', meta: ['novalue'] }, '--meta', /--meta "novalue" is not KEY=VALUE/],
    [{ port: '80', meta: ['=v'] }, '--meta', /not KEY=VALUE/],
  ])('%o is refused naming %s', (flags, flag, message) => {
    let err: unknown;
    try {
      registerInputFromFlags('pay', flags);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TuttiError);
    expect((err as TuttiError).message).toMatch(message);
    expect((err as TuttiError).details).toEqual({ flag });
    expect((err as TuttiError).hint).toBeTruthy();
  });

  it('takes the three check statuses for a heartbeat and refuses others naming --status', () => {
    expect(['passing', 'warning', 'critical'].map(heartbeatStatus)).toEqual(['passing', 'warning', 'critical']);
    expect(heartbeatStatus(undefined)).toBeUndefined();
    expect(() => heartbeatStatus('ok')).toThrow(/--status "ok" is not a check status/);
  });
});
