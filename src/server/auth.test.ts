import { afterEach, describe, expect, it } from 'vitest';
import { tokenMatcher } from './auth.js';
import { createTestApp, TOKENS, type TestApp } from './test-app.js';

let t: TestApp;
afterEach(() => t?.close());

describe('authentication', () => {
  it('answers 401 with a coded error and a hint when the token is missing', async () => {
    t = await createTestApp();
    const res = await t.app.inject({ url: '/api/v1/stack' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    const body = res.json();
    expect(body).toEqual({ code: 'TUTTI_E_UNAUTHORIZED', message: 'this request needs a bearer token', hint: expect.stringContaining('Bearer') });
  });

  it.each([
    ['a wrong token', 'Bearer nope'],
    ['a token of another scheme', `Basic ${TOKENS.admin}`],
    ['a prefix of a valid token', `Bearer ${TOKENS.admin.slice(0, 5)}`],
    ['a valid token with a suffix', `Bearer ${TOKENS.admin}x`],
  ])('rejects %s', async (_what, authorization) => {
    t = await createTestApp();
    const res = await t.app.inject({ url: '/api/v1/stack', headers: { authorization } });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('TUTTI_E_UNAUTHORIZED');
  });

  it('accepts the scheme in any case', async () => {
    t = await createTestApp();
    const res = await t.app.inject({ url: '/api/v1/stack', headers: { authorization: `bearer ${TOKENS.viewer}` } });
    expect(res.statusCode).toBe(200);
  });

  it('hides even which endpoints exist from callers without a token', async () => {
    t = await createTestApp();
    expect((await t.app.inject({ url: '/api/v1/no-such-thing' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/no-such-thing' })).statusCode).toBe(401);
    const known = await t.app.inject({ method: 'POST', url: '/api/v1/no-such-thing', headers: t.auth('viewer') });
    expect(known.statusCode).toBe(404);
    expect(known.json().code).toBe('TUTTI_E_NOT_FOUND');
  });

  it('lets /healthz through without a token, revealing nothing', async () => {
    t = await createTestApp();
    const res = await t.app.inject({ url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });
});

describe('roles', () => {
  const cases: Array<[string, string, 'viewer' | 'operator' | 'admin', unknown]> = [
    ['GET', '/api/v1/stack', 'viewer', undefined],
    ['GET', '/api/v1/services', 'viewer', undefined],
    ['GET', '/api/v1/logs', 'viewer', undefined],
    ['GET', '/api/v1/openapi.json', 'viewer', undefined],
    ['POST', '/api/v1/services/orders/restart', 'operator', undefined],
    ['PUT', '/api/v1/services/orders/scale', 'operator', { replicas: 2 }],
    ['PUT', '/api/v1/stack', 'operator', { spec: null }],
    ['DELETE', '/api/v1/stack', 'admin', undefined],
    ['POST', '/api/v1/daemon/shutdown', 'admin', {}],
  ];
  const rank = { viewer: 0, operator: 1, admin: 2 };

  it.each(cases)('%s %s needs %s', async (method, url, needed, payload) => {
    t = await createTestApp();
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const before = t.orchestrator.calls.length + t.shutdowns.length;
      const res = await t.app.inject({ method: method as 'GET', url, payload: payload as object, headers: t.auth(role) });
      if (rank[role] < rank[needed]) {
        expect(res.statusCode, `${role} on ${method} ${url}`).toBe(403);
        expect(res.json()).toMatchObject({ code: 'TUTTI_E_FORBIDDEN', message: expect.stringContaining(needed) });
        // a refused request never reaches the orchestrator
        expect(t.orchestrator.calls.length + t.shutdowns.length).toBe(before);
      } else {
        expect([401, 403], `${role} on ${method} ${url}`).not.toContain(res.statusCode);
      }
    }
  });
});

describe('tokenMatcher', () => {
  it('maps each token to its role and nothing else', () => {
    const match = tokenMatcher({ a1: 'viewer', b2: 'admin' });
    expect(match('a1')).toBe('viewer');
    expect(match('b2')).toBe('admin');
    expect(match('a')).toBeUndefined();
    expect(match('')).toBeUndefined();
  });

  it('refuses an empty token in the configuration', () => {
    expect(() => tokenMatcher({ '': 'admin' })).toThrow(/empty/);
  });
});
