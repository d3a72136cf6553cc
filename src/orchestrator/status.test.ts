import { describe, expect, it } from 'vitest';
import type { InstanceInfo, ServiceSpec, StackSpec } from '../core/index.js';
import { testServiceSpec } from '../core/test-service-spec.js';
import { stackStatus } from './status.js';

const svc = (name: string, replicas: number, importance = 1): ServiceSpec => testServiceSpec(name, { replicas, importance, revision: 'r' });
const inst = (service: string, n: number, state: InstanceInfo['state'], ready = state === 'running'): InstanceInfo => ({
  id: `${service}-${n}`, service, revision: 'r', slot: n - 1, address: '127.0.0.1', port: 4000 + n,
  state, health: 'none', ready, restarts: 0, createdAt: 0,
});

describe('stackStatus', () => {
  const stack: StackSpec = {
    name: 's', file: '/p/tutti.yaml', dir: '/p', order: ['a', 'b', 'c', 'd', 'e'],
    services: { a: svc('a', 2, 2), b: svc('b', 2), c: svc('c', 1), d: svc('d', 1), e: svc('e', 1) },
  };
  const status = stackStatus({
    stack,
    appliedAt: 1,
    desired: new Map([['c', { name: 'c', replicas: 1, stopped: true }]]),
    instances: [
      inst('a', 1, 'running'), inst('a', 2, 'running'),
      inst('b', 1, 'running'), inst('b', 2, 'crash-looping'),
      inst('d', 1, 'completed', false),
      inst('e', 1, 'starting'),
    ],
    endpoints: new Map([['a', 'http://127.0.0.1:9']]),
    failures: new Map(),
  });

  it('derives each service state', () => {
    expect(status.services.map((s) => [s.name, s.state, s.ready, s.desired])).toEqual([
      ['a', 'running', 2, 2],
      ['b', 'failed', 1, 2],      // one instance crash-looping
      ['c', 'stopped', 0, 0],
      ['d', 'completed', 0, 1],
      ['e', 'starting', 0, 1],
    ]);
    expect(status.services[0].endpoint).toBe('http://127.0.0.1:9');
  });

  it('weights the stack health by importance (hand-computed)', () => {
    // a: 2·1, b: 1·0.5, c stopped: 1·0, d completed: 1·1, e: 1·0  →  3.5 / 6
    expect(status.health).toBeCloseTo(3.5 / 6, 10);
  });
});
