import { describe, expect, it } from 'vitest';
import { SeriesPresence, statusSamples, type SampledStatus } from './sampler.js';

const status: SampledStatus = {
  health: 0.5,
  services: [
    { name: 'web', desired: 2, ready: 1 },
    { name: 'db', desired: 0, ready: 0 },
  ],
  instances: [
    { id: 'web-1', service: 'web', state: 'running', ready: true, restarts: 0 },
    { id: 'web-2', service: 'web', state: 'backoff', ready: false, restarts: 3 },
  ],
};

describe('statusSamples', () => {
  it('turns a status into the built-in series', () => {
    const got = statusSamples(status, 1000).map((s) => [s.name, s.labels, s.v]);
    expect(got).toEqual([
      ['tutti_stack_health', {}, 0.5],
      ['tutti_service_ready_instances', { service: 'web' }, 1],
      ['tutti_service_ready_instances', { service: 'db' }, 0],
      ['tutti_service_desired_instances', { service: 'web' }, 2],
      ['tutti_service_desired_instances', { service: 'db' }, 0],
      ['tutti_instance_up', { service: 'web', instance: 'web-1' }, 1],
      ['tutti_instance_up', { service: 'web', instance: 'web-2' }, 0],
      ['tutti_instance_ready', { service: 'web', instance: 'web-1' }, 1],
      ['tutti_instance_ready', { service: 'web', instance: 'web-2' }, 0],
      ['tutti_instance_restarts_total', { service: 'web', instance: 'web-1' }, 0],
      ['tutti_instance_restarts_total', { service: 'web', instance: 'web-2' }, 3],
    ]);
    expect(statusSamples(status, 1000).every((s) => s.t === 1000)).toBe(true);
  });

  it.each([
    ['starting', 1], ['running', 1], ['unhealthy', 1], ['stopping', 1],
    ['stopped', 0], ['backoff', 0], ['crash-looping', 0], ['completed', 0], ['failed', 0],
  ] as const)('counts an instance %s as up=%d', (state, up) => {
    const s = statusSamples({ health: 1, services: [], instances: [{ id: 'a-1', service: 'a', state, ready: false, restarts: 0 }] }, 0);
    expect(s.find((x) => x.name === 'tutti_instance_up')?.v).toBe(up);
  });
});

describe('SeriesPresence', () => {
  it('reports the series of a round that the next round lacks', () => {
    const presence = new SeriesPresence();
    expect(presence.next(statusSamples(status, 1))).toEqual([]);
    const fewer = { ...status, instances: status.instances.slice(0, 1) };
    const gone = presence.next(statusSamples(fewer, 2));
    expect(gone.map((s) => [s.name, s.labels.instance])).toEqual([
      ['tutti_instance_up', 'web-2'],
      ['tutti_instance_ready', 'web-2'],
      ['tutti_instance_restarts_total', 'web-2'],
    ]);
    expect(presence.next(statusSamples(fewer, 3))).toEqual([]);
  });
});
