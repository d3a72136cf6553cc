// The SDK's pure rules: which URLs name a service, which errors count as "could not connect",
// how register() options become a registration, and where the connection comes from.
import { describe, expect, it } from 'vitest';
import { connectControlPlane } from './connection.js';
import { registerInput } from './registration.js';
import { connectFailed, serviceOf } from './service-fetch.js';

describe('serviceOf', () => {
  it.each([
    ['http://orders/api/x', 'orders'],
    ['http://ORDERS/', 'orders'],
    ['http://pay_v2/', 'pay_v2'],
    ['http://orders:8080/', undefined],
    ['https://orders/', undefined],
    ['http://localhost/', undefined],
    ['http://orders.internal/', undefined],
    ['http://127.0.0.1/', undefined],
    ['http://[::1]/', undefined],
  ])('%s → %s', (url, want) => expect(serviceOf(new URL(url))).toBe(want));
});

describe('connectFailed', () => {
  const fetchError = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
  it.each([
    [fetchError('ECONNREFUSED'), true],
    [fetchError('UND_ERR_CONNECT_TIMEOUT'), true],
    [fetchError('ECONNRESET'), true],
    [Object.assign(new TypeError('fetch failed'), { cause: new AggregateError([], 'x') }), false],
    [new DOMException('aborted', 'AbortError'), false],
    [fetchError('ENOTFOUND'), false],
    [undefined, false],
  ])('%o → %s', (err, want) => expect(connectFailed(err)).toBe(want));
});

describe('registerInput', () => {
  it('compiles durations to ms and defaults the address and the TTL', () => {
    expect(registerInput({ service: 'pay', port: 8080 })).toEqual({
      input: { service: 'pay', address: '127.0.0.1', port: 8080, check: { ttl: 10_000 } },
      ttlMs: 10_000,
    });
    expect(registerInput({ service: 'pay', port: 1, address: '10.0.0.7', ttl: '1m', deregisterAfter: '5m', id: 'p1', tags: ['a'], meta: { k: 'v' } })).toEqual({
      input: { id: 'p1', service: 'pay', address: '10.0.0.7', port: 1, tags: ['a'], meta: { k: 'v' }, check: { ttl: 60_000, deregister_critical_after: 300_000 } },
      ttlMs: 60_000,
    });
  });

  it.each([
    [{ service: '', port: 80 }, /service is required/],
    [{ service: 'pay', port: 70_000 }, /port 70000 is not a port number/],
    [{ service: 'pay', port: 1.5 }, /port 1.5/],
    [{ service: 'pay', port: 80, ttl: 0 }, /ttl 0 is not a positive duration/],
    [{ service: 'pay', port: 80, deregisterAfter: 'later' }, /deregisterAfter "later"/],
  ])('refuses %o', (opts, message) => expect(() => registerInput(opts)).toThrow(message));
});

describe('connectControlPlane', () => {
  it('takes TUTTI_URL and TUTTI_TOKEN from the environment, options first', () => {
    expect(connectControlPlane({}, { TUTTI_URL: 'http://127.0.0.1:9/', TUTTI_TOKEN: 't' }).api.url).toBe('http://127.0.0.1:9');
    expect(connectControlPlane({ url: 'http://10.0.0.1:1' }, { TUTTI_URL: 'http://127.0.0.1:9' }).api.url).toBe('http://10.0.0.1:1');
  });

  it('says what to set when there is no control plane', () => {
    expect(() => connectControlPlane({}, {})).toThrow(/TUTTI_URL is not set/);
  });
});
