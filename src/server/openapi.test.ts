import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, type Registry } from '../registry/index.js';
import { openSqliteStore, type Store } from '../store/index.js';
import { createTestApp, type TestApp } from './test-app.js';

let t: TestApp;
let doc: {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[]; requestBody?: unknown }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  security: unknown[];
};

const dir = mkdtempSync(join(tmpdir(), 'tutti-openapi-'));
let store: Store;
let registry: Registry;

beforeAll(async () => {
  store = await openSqliteStore(join(dir, 'state.db'));
  registry = await createRegistry({ store: store.registry, meta: store.meta });
  t = await createTestApp({ registry });
  const res = await t.app.inject({ url: '/api/v1/openapi.json', headers: t.auth('viewer') });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => {
  await t.close();
  await registry.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('OpenAPI document', () => {
  it('is OpenAPI 3 with the bearer scheme required by default', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.version).toBe('9.9.9-test');
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearer: [] }]);
  });

  it('documents every route of the API', () => {
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual(
      [
        'GET /healthz',
        'GET /api/v1/stack',
        'PUT /api/v1/stack',
        'DELETE /api/v1/stack',
        'GET /api/v1/services',
        'GET /api/v1/services/{name}',
        'POST /api/v1/services/{name}/restart',
        'POST /api/v1/services/{name}/stop',
        'POST /api/v1/services/{name}/start',
        'PUT /api/v1/services/{name}/scale',
        'GET /api/v1/instances',
        'GET /api/v1/operations/{id}',
        'GET /api/v1/operations/{id}/events',
        'GET /api/v1/logs',
        'GET /api/v1/alerts',
        'GET /api/v1/series',
        'GET /api/v1/version',
        'POST /api/v1/daemon/shutdown',
        'GET /metrics',
        'GET /api/v1/prometheus/targets',
        'GET /api/v1/top',
        'GET /api/v1/registry/services',
        'GET /api/v1/registry/services/{service}/instances',
        'GET /api/v1/registry/services/{service}/scores',
        'GET /api/v1/registry/instances/{id}',
        'POST /api/v1/registry/instances',
        'DELETE /api/v1/registry/instances/{id}',
        'PUT /api/v1/registry/instances/{id}/heartbeat',
        'GET /api/v1/registry/watch',
        'GET /api/v1/stack/events',
        'GET /api/v1/stack/watch',
        'POST /api/v1/dashboard/login-codes',
        'POST /api/v1/dashboard/session',
        'GET /api/v1/dashboard/session',
        'DELETE /api/v1/dashboard/session',
      ].sort(),
    );
  });

  it('names shared schemas and the error answers of each route', () => {
    for (const name of ['StackSpec', 'ServiceSpec', 'StackStatus', 'ServiceStatus', 'InstanceInfo', 'OperationInfo', 'OperationEvent', 'LogLine', 'Error']) {
      expect(doc.components.schemas, name).toHaveProperty(name);
    }
    const scale = doc.paths['/api/v1/services/{name}/scale'].put;
    expect(Object.keys(scale.responses).sort()).toEqual(['202', '400', '401', '403', '404', '409', '500']);
    expect(JSON.stringify(scale.responses['404'])).toContain('#/components/schemas/Error');
    expect(JSON.stringify(doc.paths['/api/v1/stack'].put.requestBody)).toContain('#/components/schemas/StackSpec');
  });

  it('marks /healthz public and documents both shapes of /logs', () => {
    const health = doc.paths['/healthz'].get;
    expect(health.security).toEqual([]);
    expect(health.responses).not.toHaveProperty('401');
    const logs = JSON.stringify(doc.paths['/api/v1/logs'].get.responses['200']);
    expect(logs).toContain('application/json');
    expect(logs).toContain('text/event-stream');
  });
});
