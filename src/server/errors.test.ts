import { afterEach, describe, expect, it } from 'vitest';
import { TuttiError } from '../core/index.js';
import { createTestApp, testStackSpec, type TestApp } from './test-app.js';

let t: TestApp;
afterEach(() => t?.close());

describe('error answers', () => {
  it('passes a TuttiError through with its status, code, message and hint', async () => {
    t = await createTestApp();
    const spec = { ...testStackSpec(), services: {}, order: [] };
    const res = await t.app.inject({ method: 'PUT', url: '/api/v1/stack', headers: t.auth('operator'), payload: { spec } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 'TUTTI_E_MANIFEST_INVALID', message: 'stack shop has no services', hint: 'add a service' });
  });

  it('names the invalid field of a body deep inside the spec', async () => {
    t = await createTestApp();
    const spec = testStackSpec();
    (spec.services.orders as { replicas: unknown }).replicas = -2;
    const res = await t.app.inject({ method: 'PUT', url: '/api/v1/stack', headers: t.auth('operator'), payload: { spec } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('TUTTI_E_BAD_REQUEST');
    expect(body.message).toBe('invalid request: body.spec.services.orders.replicas must be >= 0');
    expect(body.details).toEqual({ field: 'body.spec.services.orders.replicas' });
    expect(body.hint).toContain('openapi.json');
    expect(t.orchestrator.calls.filter((c) => c.method === 'apply')).toHaveLength(1); // only the fixture's
  });

  it('names a missing field and an enum violation', async () => {
    t = await createTestApp();
    const missing = testStackSpec() as Partial<ReturnType<typeof testStackSpec>>;
    delete missing.order;
    let res = await t.app.inject({ method: 'PUT', url: '/api/v1/stack', headers: t.auth('operator'), payload: { spec: missing } });
    expect(res.json().message).toBe('invalid request: body.spec.order is required');

    const bad = testStackSpec();
    (bad.services.catalog as { restart: string }).restart = 'sometimes';
    res = await t.app.inject({ method: 'PUT', url: '/api/v1/stack', headers: t.auth('operator'), payload: { spec: bad } });
    expect(res.json().message).toBe('invalid request: body.spec.services.catalog.restart must be one of always, on-failure, never');
  });

  it('names a bad query parameter and a body that is not JSON', async () => {
    t = await createTestApp();
    let res = await t.app.inject({ url: '/api/v1/logs?tail=many', headers: t.auth('viewer') });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'TUTTI_E_BAD_REQUEST', message: 'invalid request: querystring.tail must be integer' });

    res = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/services/orders/scale',
      headers: { ...t.auth('operator'), 'content-type': 'application/json' },
      payload: '{"replicas": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('TUTTI_E_BAD_REQUEST');
  });

  it('hides the internals of an unexpected failure behind a 500', async () => {
    t = await createTestApp();
    t.orchestrator.status = () => {
      throw new Error('secret path /home/alice/.ssh exploded');
    };
    const res = await t.app.inject({ url: '/api/v1/stack', headers: t.auth('viewer') });
    expect(res.statusCode).toBe(500);
    const body = res.json();
    expect(body.code).toBe('TUTTI_E_INTERNAL');
    expect(res.body).not.toContain('secret');
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
    expect(body.hint).toBeTruthy();
  });

  it('maps each coded error of the orchestrator to its HTTP status', async () => {
    t = await createTestApp();
    for (const [code, status] of [
      ['TUTTI_E_PORT_IN_USE', 409],
      ['TUTTI_E_COMMAND_NOT_FOUND', 400],
      ['TUTTI_E_CONFLICT', 409],
    ] as const) {
      t.orchestrator.restart = async () => {
        throw new TuttiError(code, `failed with ${code}`, { hint: 'do something', details: { port: 8080 } });
      };
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/services/orders/restart', headers: t.auth('operator') });
      expect(res.statusCode).toBe(status);
      expect(res.json()).toEqual({ code, message: `failed with ${code}`, hint: 'do something', details: { port: 8080 } });
    }
  });

  it('answers an unknown endpoint with a coded 404', async () => {
    t = await createTestApp();
    const res = await t.app.inject({ url: '/api/v2/stack?x=1', headers: t.auth('viewer') });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      code: 'TUTTI_E_NOT_FOUND',
      message: 'no such endpoint: GET /api/v2/stack',
      hint: expect.stringContaining('openapi.json'),
    });
  });
});
