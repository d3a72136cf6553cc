// pod-metrics: the metrics API's PodMetrics as the runtime's stats(): each pod's containers
// summed, keyed by pod name; nothing (not an error) without the API; a failing API told once;
// CPU seconds counted from the rate between readings, for `tutti top` and alert rules.

import { describe, expect, it, vi } from 'vitest';
import { TuttiError } from '../../core/index.js';
import { podStats, PodStatsReader } from './pod-metrics.js';

type Usage = [container: string, cpu: string | undefined, memory: string | undefined];

const T0 = Date.parse('2024-01-01T00:00:00Z');

const metrics = (name: string, ...containers: Usage[]) => metricsAt(name, T0, ...containers);
const metricsAt = (name: string, at: number, ...containers: Usage[]) => ({
  kind: 'PodMetrics',
  metadata: { name, namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'tutti' } },
  timestamp: new Date(at).toISOString(),
  window: '15s',
  containers: containers.map(([n, cpu, memory]) => ({ name: n, usage: { ...(cpu !== undefined && { cpu }), ...(memory !== undefined && { memory }) } })),
});

/** A KubeApi as far as pod metrics use it; records the selectors it was asked for. */
function fakeApi(answer: () => unknown[] | undefined) {
  const selectors: string[] = [];
  return {
    selectors,
    podMetrics: async (selector: string) => {
      selectors.push(selector);
      return answer();
    },
  };
}

const forbidden = () => new TuttiError('TUTTI_E_FORBIDDEN', 'not allowed to list pod metrics in namespace shop: pods.metrics.k8s.io is forbidden');

describe('podStats (one reading)', () => {
  it('sums each pod\'s containers, by pod name, with the selector passed on', async () => {
    const api = fakeApi(() => [
      metrics('web-7d9f-abcde', ['web', '123456789n', '64Mi'], ['sidecar', '5m', '1000Ki']),
      metrics('web-7d9f-fghij', ['web', '1', '1Gi']),
      metrics('db-55c4-xyz12', ['db', '250u', '128M']),
    ]);
    expect(await podStats(api, 'app.kubernetes.io/managed-by=tutti')).toEqual({
      'web-7d9f-abcde': { cpu: 12.3456789 + 0.5, memory: 64 * 2 ** 20 + 1000 * 1024 },
      'web-7d9f-fghij': { cpu: 100, memory: 2 ** 30 },
      'db-55c4-xyz12': { cpu: 0.025, memory: 128_000_000 },
    });
    expect(api.selectors).toEqual(['app.kubernetes.io/managed-by=tutti']);
  });

  it('counts a missing figure as none, and leaves out pods that report no container yet or have no name', async () => {
    const api = fakeApi(() => [metrics('a', ['c', '10m', undefined]), metrics('b', ['c', undefined, '1Ki']), metrics('empty'), { metadata: {} }, null]);
    expect(await podStats(api, 's')).toEqual({ a: { cpu: 1, memory: 0 }, b: { cpu: 0, memory: 1024 } });
  });

  it('answers nothing when the cluster does not serve the metrics API, or it fails', async () => {
    expect(await podStats(fakeApi(() => undefined), 's')).toEqual({});
    expect(await podStats(fakeApi(() => { throw forbidden(); }), 's')).toEqual({});
  });
});

describe('PodStatsReader (the runtime\'s stats())', () => {
  it('answers nothing, and tells nobody, when the cluster does not serve the metrics API', async () => {
    const warn = vi.fn();
    expect(await new PodStatsReader(fakeApi(() => undefined), 's', warn).read()).toEqual({});
    expect(await new PodStatsReader(fakeApi(() => []), 's', warn).read()).toEqual({});
    expect(warn).not.toHaveBeenCalled();
  });

  it('does not throw when the metrics API fails, and tells of the failure once until it changes or recovers', async () => {
    const warn = vi.fn();
    let fail: (() => Error) | undefined = forbidden;
    const reader = new PodStatsReader(fakeApi(() => {
      if (fail) throw fail();
      return [metrics('web-1', ['web', '1', '1Ki'])];
    }), 's', warn);
    for (let i = 0; i < 3; i++) expect(await reader.read()).toEqual({});
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatchObject({ code: 'TUTTI_E_FORBIDDEN' });

    fail = () => new Error('socket hang up'); // not a TuttiError: still no throw, told as unavailable
    expect(await reader.read()).toEqual({});
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[1][0]).toMatchObject({ code: 'TUTTI_E_UNAVAILABLE', message: expect.stringContaining('socket hang up') });

    fail = undefined;
    expect(await reader.read()).toEqual({ 'web-1': { cpu: 100, memory: 1024, cpuSeconds: 0 } });
    fail = forbidden;
    expect(await reader.read()).toEqual({});
    expect(warn).toHaveBeenCalledTimes(3); // the same failure again after a recovery is news
  });

  it('leaves out a pod whose figure is no quantity, keeps the others, and names the bad one', async () => {
    const warn = vi.fn();
    const api = fakeApi(() => [metrics('good', ['c', '1', '1Ki']), metrics('bad', ['app', 'lots', '1Ki'])]);
    expect(await new PodStatsReader(api, 's', warn).read()).toEqual({ good: { cpu: 100, memory: 1024, cpuSeconds: 0 } });
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({
      message: 'the cpu usage of container app of pod bad in the metrics API "lots" is not a Kubernetes quantity',
    }));
  });

  it('counts CPU seconds from the rate between the readings it sees, from 0, per pod', async () => {
    let items: unknown[] = [metricsAt('web-1', T0, ['web', '500m', '1Mi'])];
    const reader = new PodStatsReader(fakeApi(() => items), 's');
    const seconds = async () => Object.fromEntries(Object.entries(await reader.read()).map(([k, v]) => [k, v.cpuSeconds]));
    expect(await seconds()).toEqual({ 'web-1': 0 });
    expect(await seconds()).toEqual({ 'web-1': 0 }); // the same reading again: no time passed
    items = [metricsAt('web-1', T0 + 10_000, ['web', '500m', '1Mi']), metricsAt('web-2', T0 + 10_000, ['web', '2', '1Mi'])];
    expect(await seconds()).toEqual({ 'web-1': 5, 'web-2': 0 });
    items = [metricsAt('web-1', T0 + 25_000, ['web', '1', '1Mi'], ['sidecar', '1', '1Mi']), metricsAt('web-2', T0 + 20_000, ['web', '2', '1Mi'])];
    expect(await seconds()).toEqual({ 'web-1': 5 + 2 * 15, 'web-2': 20 });
    // a reading older than the last one seen does not run the counter back
    items = [metricsAt('web-1', T0, ['web', '4', '1Mi'])];
    expect(await seconds()).toEqual({ 'web-1': 35 });
  });

  it('forgets a pod the API no longer reports, but not on a failed read', async () => {
    let answer: () => unknown[] = () => [metricsAt('web-1', T0, ['web', '1', '1Mi'])];
    const reader = new PodStatsReader(fakeApi(() => answer()), 's');
    await reader.read();
    answer = () => [metricsAt('web-1', T0 + 1000, ['web', '1', '1Mi'])];
    expect((await reader.read())['web-1'].cpuSeconds).toBe(1);
    answer = () => { throw forbidden(); };
    await reader.read();
    answer = () => [metricsAt('web-1', T0 + 2000, ['web', '1', '1Mi'])];
    expect((await reader.read())['web-1'].cpuSeconds).toBe(2);
    answer = () => [];
    await reader.read();
    answer = () => [metricsAt('web-1', T0 + 3000, ['web', '1', '1Mi'])];
    expect((await reader.read())['web-1'].cpuSeconds).toBe(0); // a new pod of the same name starts over
  });

  it('takes the time of reading when the API gives none', async () => {
    let now = T0;
    const item = { metadata: { name: 'web-1' }, containers: [{ name: 'web', usage: { cpu: '1', memory: '1Ki' } }] };
    const reader = new PodStatsReader(fakeApi(() => [item]), 's', undefined, () => now);
    await reader.read();
    now += 3000;
    expect(await reader.read()).toEqual({ 'web-1': { cpu: 100, memory: 1024, cpuSeconds: 3 } });
  });
});
