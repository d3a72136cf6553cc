// pod-instance: pods in each state as instances, and the event each change of pod makes.

import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { InstanceInfo } from '../../core/index.js';
import { instanceChange, podInstance } from './pod-instance.js';

type ContainerStatus = NonNullable<NonNullable<V1Pod['status']>['containerStatuses']>[number];

function pod(status: Partial<ContainerStatus> = {}, over: { ready?: boolean; deleting?: boolean; phase?: string; probe?: boolean } = {}): V1Pod {
  return {
    metadata: {
      name: 'web-5d8-abcde',
      labels: { 'app.kubernetes.io/name': 'web' },
      annotations: { 'tutti.dev/revision': 'r1' },
      creationTimestamp: new Date('2024-05-01T10:00:00Z'),
      ...(over.deleting && { deletionTimestamp: new Date('2024-05-01T10:05:00Z') }),
    },
    spec: { containers: [{ name: 'web', image: 'web:1', ports: [{ containerPort: 8080 }], ...(over.probe !== false && { readinessProbe: { httpGet: { path: '/healthz', port: 8080 } } }) }] },
    status: {
      phase: over.phase ?? 'Running',
      podIP: '10.1.2.3',
      conditions: [{ type: 'Ready', status: over.ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'web', image: 'web:1', imageID: '', ready: over.ready ?? false, restartCount: 0, ...status }],
    },
  };
}

const running = { state: { running: { startedAt: new Date('2024-05-01T10:00:02Z') } } };

describe('podInstance', () => {
  it('maps a ready pod to a running instance at the pod IP and container port', () => {
    expect(podInstance(pod(running, { ready: true }), 0, false)).toEqual({
      id: 'web-5d8-abcde', service: 'web', revision: 'r1', slot: 0, address: '10.1.2.3', port: 8080,
      state: 'running', health: 'passing', ready: true, restarts: 0,
      createdAt: Date.parse('2024-05-01T10:00:00Z'), startedAt: Date.parse('2024-05-01T10:00:02Z'),
    });
  });

  it.each([
    ['running, never ready yet', pod(running), false, 'starting', 'unknown', 'not ready'],
    ['running, ready before', pod(running), true, 'unhealthy', 'failing', 'not ready'],
    ['no health check, not ready', pod(running, { probe: false }), false, 'starting', 'none', 'not ready'],
    ['image cannot be pulled', pod({ state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "web:9"' } } }), false, 'failed', 'unknown', 'ImagePullBackOff: Back-off pulling image "web:9"'],
    ['crash looping', pod({ restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 3 } } }), true, 'crash-looping', 'unknown', 'CrashLoopBackOff: exited with code 3, restarted 4 times'],
    ['being created', pod({ state: { waiting: { reason: 'ContainerCreating' } } }), false, 'starting', 'unknown', undefined],
    ['being deleted', pod(running, { ready: true, deleting: true }), true, 'stopping', 'passing', undefined],
    ['a one-shot that finished', pod({ state: { terminated: { exitCode: 0 } } }, { phase: 'Succeeded' }), false, 'completed', 'unknown', undefined],
  ])('%s', (_title, p, wasReady, state, health, message) => {
    const info = podInstance(p, 0, wasReady)!;
    expect([info.state, info.health, info.message]).toEqual([state, health, message]);
  });

  it('names the signal and the exit code of the last exit', () => {
    const info = podInstance(pod({ restartCount: 1, ...running, lastState: { terminated: { exitCode: 137, signal: 9, finishedAt: new Date('2024-05-01T10:01:00Z') } } }), 0, false)!;
    expect(info.lastExit).toEqual({ code: 137, signal: 'SIGKILL', at: Date.parse('2024-05-01T10:01:00Z') });
    expect(info.restarts).toBe(1);
    const oom = podInstance(pod({ restartCount: 2, ...running, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: new Date('2024-05-01T10:02:00Z') } } }), 0, false)!;
    expect(oom.lastExit).toEqual({ code: 137, signal: null, at: Date.parse('2024-05-01T10:02:00Z'), reason: 'OOMKilled' });
    const plain = podInstance(pod({ restartCount: 1, ...running, lastState: { terminated: { exitCode: 1, reason: 'Error' } } }), 0, false)!;
    expect(plain.lastExit?.reason).toBeUndefined();
  });

  it('leaves out pods that are not a service\'s', () => {
    const p = pod();
    delete p.metadata!.labels;
    expect(podInstance(p, 0, false)).toBeUndefined();
  });
});

describe('instanceChange', () => {
  const base = podInstance(pod(running), 0, false)!;
  const with_ = (over: Partial<InstanceInfo>): InstanceInfo => ({ ...base, ...over });
  it.each([
    ['a new pod', undefined, base, 'created'],
    ['a pod gone', base, undefined, 'removed'],
    ['it became ready', base, with_({ ready: true, state: 'running' }), 'ready'],
    ['it stopped being ready', with_({ ready: true }), base, 'unready'],
    ['its container restarted', base, with_({ restarts: 1 }), 'restarting'],
    ['it started crash looping', with_({ state: 'starting' }), with_({ state: 'crash-looping' }), 'exited'],
    ['its container started', with_({ state: 'starting', startedAt: undefined }), with_({ state: 'starting', startedAt: 5 }), 'updated'],
    ['nothing changed', base, { ...base }, undefined],
  ])('%s', (_title, before, after, change) => {
    expect(instanceChange(before, after)).toBe(change);
  });
});
