import { describe, expect, it } from 'vitest';
import type { ServiceSpec, StackSpec } from '../core/index.js';
import { testServiceSpec } from '../core/test-service-spec.js';
import { dependencyEnv, deploymentRevision, planApply, reverseWaves, urlVariable } from './plan.js';

function svc(name: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  return testServiceSpec(name, { revision: `${name}-r1`, ...over });
}

function stack(...services: ServiceSpec[]): StackSpec {
  return {
    name: 'shop', file: '/p/tutti.yaml', dir: '/p',
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    order: services.map((s) => s.name),
  };
}

describe('planApply', () => {
  it('sorts services into added, changed, unchanged and removed', () => {
    const before = stack(svc('db'), svc('api', { dependsOn: { db: 'healthy' } }), svc('web', { dependsOn: { api: 'healthy' } }), svc('old'));
    const after = stack(svc('db'), svc('api', { revision: 'api-r2', dependsOn: { db: 'healthy' } }), svc('web', { replicas: 3 }), svc('new'));
    expect(planApply(before, after)).toEqual({ added: ['new'], changed: ['api', 'web'], unchanged: ['db'], removed: ['old'] });
  });

  it('adds everything on a first apply', () => {
    expect(planApply(undefined, stack(svc('a'), svc('b')))).toEqual({ added: ['a', 'b'], changed: [], unchanged: [], removed: [] });
  });
});

describe('dependency environment', () => {
  it.each([
    ['inventory', 'INVENTORY_URL'],
    ['user-db', 'USER_DB_URL'],
    ['cache_2', 'CACHE_2_URL'],
  ])('%s -> %s', (name, variable) => expect(urlVariable(name)).toBe(variable));

  it('gives each dependency its endpoint URL, and the stack name', () => {
    const api = svc('api', { dependsOn: { db: 'healthy', 'user-cache': 'started' } });
    const urls: Record<string, string> = { db: 'http://127.0.0.1:4001', 'user-cache': 'http://127.0.0.1:4002' };
    expect(dependencyEnv(api, 'shop', (d) => urls[d])).toEqual({
      TUTTI_STACK: 'shop', DB_URL: 'http://127.0.0.1:4001', USER_CACHE_URL: 'http://127.0.0.1:4002',
    });
  });

  it('changes the deployment revision when an injected URL changes, and only then', () => {
    const api = svc('api');
    const a = deploymentRevision(api, { DB_URL: 'http://127.0.0.1:1', TUTTI_STACK: 's' });
    expect(deploymentRevision(api, { TUTTI_STACK: 's', DB_URL: 'http://127.0.0.1:1' })).toBe(a);
    expect(deploymentRevision(api, { TUTTI_STACK: 's', DB_URL: 'http://127.0.0.1:2' })).not.toBe(a);
    expect(deploymentRevision({ ...api, revision: 'api-r2' }, { TUTTI_STACK: 's', DB_URL: 'http://127.0.0.1:1' })).not.toBe(a);
  });
});

describe('reverseWaves', () => {
  it('stops dependents before their dependencies, independent ones together', () => {
    const s = stack(
      svc('db'), svc('cache'),
      svc('api', { dependsOn: { db: 'healthy', cache: 'started' } }),
      svc('web', { dependsOn: { api: 'healthy' } }),
      svc('worker', { dependsOn: { db: 'healthy' } }),
    );
    expect(reverseWaves(s, s.order).map((w) => w.sort())).toEqual([['web', 'worker'], ['api'], ['cache', 'db']]);
  });
});
