import { describe, expect, it } from 'vitest';
import { TuttiError } from '../core/index.js';
import { compileRegistration } from './registration.js';

const base = { service: 'payments', address: '10.0.0.7', port: 8443 };

describe('compileRegistration', () => {
  it('compiles a minimal registration with a generated id and no check', () => {
    const reg = compileRegistration(base);
    expect(reg).toEqual({ ...base, id: expect.stringMatching(/^payments-[0-9a-f]{8}$/), tags: [], meta: {} });
    expect(compileRegistration(base).id).not.toBe(reg.id);
  });

  it.each([
    ['a ttl check', { ttl: '10s' }, { ttlMs: 10_000, deregisterCriticalAfterMs: 60_000 }],
    ['a ttl in ms with its own deregistration delay', { ttl: 1500, deregister_critical_after: '30s' }, { ttlMs: 1500, deregisterCriticalAfterMs: 30_000 }],
    ['an http path, probed on the instance', { http: '/healthz?deep=1' }, { http: 'http://10.0.0.7:8443/healthz?deep=1', intervalMs: 10_000, timeoutMs: 2000, deregisterCriticalAfterMs: 60_000 }],
    ['an http URL', { http: 'http://side.car:9000/ready', interval: '5s', timeout: '500ms' }, { http: 'http://side.car:9000/ready', intervalMs: 5000, timeoutMs: 500, deregisterCriticalAfterMs: 60_000 }],
    ['a tcp check', { tcp: true, interval: '1m' }, { tcp: true, intervalMs: 60_000, timeoutMs: 2000, deregisterCriticalAfterMs: 60_000 }],
    ['tcp: false beside a ttl', { tcp: false, ttl: '3s' }, { ttlMs: 3000, deregisterCriticalAfterMs: 60_000 }],
  ])('compiles %s', (_name, check, expected) => {
    expect(compileRegistration({ ...base, check }).check).toEqual(expected);
  });

  it('keeps id, tags (without duplicates) and meta; accepts IPv6 and host names', () => {
    const reg = compileRegistration({ ...base, id: 'pay-eu.1', tags: ['eu', 'v2', 'eu'], meta: { zone: 'eu-west-1a' } });
    expect(reg).toMatchObject({ id: 'pay-eu.1', tags: ['eu', 'v2'], meta: { zone: 'eu-west-1a' } });
    expect(compileRegistration({ ...base, address: '[::1]', check: { http: '/h' } })).toMatchObject({ address: '::1', check: { http: 'http://[::1]:8443/h' } });
    expect(compileRegistration({ ...base, address: 'payments-1.internal' }).address).toBe('payments-1.internal');
  });

  it.each([
    ['no body', null, 'body', /must be an object/],
    ['a missing service', { address: '1.2.3.4', port: 80 }, 'service', /service is required/],
    ['a service name with capitals', { ...base, service: 'Payments' }, 'service', /"Payments" is not a valid service name/],
    ['a service name too long for DNS', { ...base, service: 'a'.repeat(64) }, 'service', /not a valid service name/],
    ['a missing address', { service: 'payments', port: 80 }, 'address', /address is required/],
    ['an address with a scheme', { ...base, address: 'http://10.0.0.7' }, 'address', /neither an IP address nor a host name/],
    ['a missing port', { service: 'payments', address: '1.2.3.4' }, 'port', /port is required/],
    ['port 0', { ...base, port: 0 }, 'port', /from 1 to 65535, got 0/],
    ['port 70000', { ...base, port: 70000 }, 'port', /got 70000/],
    ['a fractional port', { ...base, port: 80.5 }, 'port', /integer/],
    ['a port as text', { ...base, port: '80' }, 'port', /got "80"/],
    ['an id with a slash', { ...base, id: 'a/b' }, 'id', /"a\/b" is not a valid instance id/],
    ['tags that are not a list', { ...base, tags: 'eu' }, 'tags', /list of strings/],
    ['an empty tag', { ...base, tags: ['eu', ''] }, 'tags[1]', /non-empty string/],
    ['meta with a number', { ...base, meta: { replicas: 3 } }, 'meta.replicas', /must be a string/],
    ['meta with a bad key', { ...base, meta: { 'a b': 'x' } }, 'meta.a b', /not a valid key/],
    ['an unknown field', { ...base, prot: 1 }, 'prot', /not a known field/],
    ['an unknown check field', { ...base, check: { ttl: '1s', intervl: '1s' } }, 'check.intervl', /not a known field/],
    ['two checks', { ...base, check: { ttl: '10s', http: '/healthz' } }, 'check', /has ttl and http; give only one/],
    ['three checks', { ...base, check: { ttl: '10s', http: '/h', tcp: true } }, 'check', /has ttl and http and tcp/],
    ['an empty check', { ...base, check: {} }, 'check', /needs one of ttl, http or tcp/],
    ['a bad ttl', { ...base, check: { ttl: '10 parsecs' } }, 'check.ttl', /"10 parsecs" is not a duration/],
    ['a zero ttl', { ...base, check: { ttl: '0s' } }, 'check.ttl', /longer than 0/],
    ['an interval on a ttl check', { ...base, check: { ttl: '5s', interval: '1s' } }, 'check.interval', /http and tcp checks only/],
    ['a bad interval', { ...base, check: { tcp: true, interval: 'often' } }, 'check.interval', /not a duration/],
    ['a bad deregistration delay', { ...base, check: { ttl: '5s', deregister_critical_after: -1 } }, 'check.deregister_critical_after', /not a duration/],
    ['an https check', { ...base, check: { http: 'https://x/healthz' } }, 'check.http', /uses https; only http is probed/],
    ['an http check that is neither URL nor path', { ...base, check: { http: 'healthz' } }, 'check.http', /neither a URL nor a path/],
    ['tcp given as text', { ...base, check: { tcp: 'yes' } }, 'check.tcp', /true or false/],
  ])('refuses %s, naming the field', (_name, input, field, message) => {
    let err: unknown;
    try {
      compileRegistration(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TuttiError);
    const e = err as TuttiError;
    expect(e.code).toBe('TUTTI_E_BAD_REQUEST');
    expect(e.details).toEqual({ field });
    expect(e.message).toMatch(/^invalid registration: /);
    expect(e.message).toMatch(message);
    expect(e.hint).toBeTruthy();
  });

  it('suggests the field a typo meant', () => {
    expect(() => compileRegistration({ ...base, check: { ttl: '1s', deregister_critical_aftr: '1m' } })).toThrow(
      expect.objectContaining({ hint: 'did you mean "deregister_critical_after"?' }),
    );
  });
});
