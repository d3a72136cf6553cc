import { describe, expect, it } from 'vitest';
import type { InstanceInfo } from '../../core/index.js';
import { scrapeTargets } from './http-sd.js';

const inst = (id: string, service: string, over: Partial<InstanceInfo> = {}): InstanceInfo => ({
  id, service, revision: 'r1', slot: 0, address: '127.0.0.1', port: 4000, state: 'running', health: 'passing', ready: true, restarts: 0, createdAt: 0, ...over,
});

describe('scrapeTargets', () => {
  const stack = { services: { api: { metricsPath: '/metrics' }, db: {}, v6: { metricsPath: '/prom' } } } as never;

  it('lists one group per serving instance of each service declaring metrics:', () => {
    const status = {
      name: 'shop',
      instances: [
        inst('api-1', 'api', { port: 4001 }),
        inst('api-2', 'api', { port: 4002, state: 'unhealthy', ready: false }),
        inst('api-3', 'api', { port: 4003, state: 'backoff' }),
        inst('api-4', 'api', { port: 0, state: 'running' }),
        inst('db-1', 'db'),
        inst('v6-1', 'v6', { address: '::1', port: 4005, revision: 'r9' }),
      ],
    };
    expect(scrapeTargets(status, stack)).toEqual([
      { targets: ['127.0.0.1:4001'], labels: { __metrics_path__: '/metrics', stack: 'shop', service: 'api', instance: 'api-1', tutti_revision: 'r1' } },
      { targets: ['127.0.0.1:4002'], labels: { __metrics_path__: '/metrics', stack: 'shop', service: 'api', instance: 'api-2', tutti_revision: 'r1' } },
      { targets: ['[::1]:4005'], labels: { __metrics_path__: '/prom', stack: 'shop', service: 'v6', instance: 'v6-1', tutti_revision: 'r9' } },
    ]);
  });

  it('is empty without a stack or a spec', () => {
    expect(scrapeTargets(null, stack)).toEqual([]);
    expect(scrapeTargets({ name: 's', instances: [inst('api-1', 'api')] }, undefined)).toEqual([]);
  });
});
