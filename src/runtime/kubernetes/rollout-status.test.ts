// rollout-status: each stage and each failure kind, from the status fields and pod states the
// deployment controller and the kubelet write.

import type { V1ContainerStatus, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { rolloutVerdict, stuckReason } from './rollout-status.js';

const template = { metadata: { annotations: { 'tutti.dev/revision': 'r2' } }, spec: { containers: [] } };

function deployment(status: V1Deployment['status'], over: { generation?: number; replicas?: number } = {}): V1Deployment {
  return { metadata: { name: 'web', generation: over.generation ?? 2 }, spec: { replicas: over.replicas ?? 2, selector: {}, template }, status };
}

function pod(name: string, revision: string, waiting?: { reason: string; message?: string }, extra: Partial<V1ContainerStatus> = {}): V1Pod {
  return {
    metadata: { name, annotations: { 'tutti.dev/revision': revision } },
    status: { containerStatuses: [{ name: 'web', image: 'x', imageID: '', ready: false, restartCount: 0, state: waiting ? { waiting } : { running: {} }, ...extra }] },
  };
}

describe('rolloutVerdict', () => {
  it.each([
    ['the controller has not seen the new spec', deployment({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }), 'waiting', /deployment controller/],
    ['new pods still to create', deployment({ observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 1 }), 'waiting', /1 of 2 new pods created/],
    ['old pods still to stop', deployment({ observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 3 }), 'waiting', /1 old pod still to stop/],
    ['new pods not ready yet', deployment({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1 }), 'waiting', /1 of 2 new pods ready/],
    ['complete', deployment({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 }), 'done', undefined],
    ['scaled to zero', deployment({ observedGeneration: 2 }, { replicas: 0 }), 'done', undefined],
    ['the progress deadline passed', deployment({
      observedGeneration: 2, replicas: 3, updatedReplicas: 1, availableReplicas: 2,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-5d8" has timed out progressing.' }],
    }), 'failed', /^ProgressDeadlineExceeded: ReplicaSet "web-5d8" has timed out progressing\.$/],
    ['pods could not be created (quota)', deployment({
      observedGeneration: 2, replicas: 1, updatedReplicas: 0,
      conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-5d8-x" is forbidden: exceeded quota: compute, requested: cpu=2, used: cpu=1, limited: cpu=2' }],
    }), 'failed', /^FailedCreate: pods "web-5d8-x" is forbidden: exceeded quota/],
  ])('%s', (_title, d, state, reason) => {
    const verdict = rolloutVerdict(d, []);
    expect(verdict.state).toBe(state);
    if (reason) expect((verdict as { reason: string }).reason).toMatch(reason);
  });

  it('fails at once on a new pod whose image cannot be pulled, naming the pod', () => {
    const d = deployment({ observedGeneration: 2, replicas: 3, updatedReplicas: 1, availableReplicas: 2 });
    const pods = [pod('web-old', 'r1'), pod('web-new', 'r2', { reason: 'ImagePullBackOff', message: 'Back-off pulling image "ghcr.io/acme/web:nope"' })];
    expect(rolloutVerdict(d, pods)).toEqual({ state: 'failed', pod: 'web-new', reason: 'pod web-new: ImagePullBackOff: Back-off pulling image "ghcr.io/acme/web:nope"' });
  });

  it('ignores old pods that cannot start: they are being replaced', () => {
    const d = deployment({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 });
    expect(rolloutVerdict(d, [pod('web-old', 'r1', { reason: 'CrashLoopBackOff' })]).state).toBe('done');
  });
});

describe('stuckReason', () => {
  it.each([
    ['a crash loop, with the exit code', pod('p', 'r', { reason: 'CrashLoopBackOff', message: 'back-off 10s' }, { restartCount: 3, lastState: { terminated: { exitCode: 3, reason: 'Error' } } }), 'CrashLoopBackOff: exited with code 3, restarted 3 times'],
    ['an OOM kill', pod('p', 'r', { reason: 'CrashLoopBackOff' }, { restartCount: 1, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }), 'CrashLoopBackOff: exited with code 137 (OOMKilled), restarted 1 time'],
    ['a missing Secret', pod('p', 'r', { reason: 'CreateContainerConfigError', message: 'secret "web-env" not found' }), 'CreateContainerConfigError: secret "web-env" not found'],
    ['still creating', pod('p', 'r', { reason: 'ContainerCreating' }), undefined],
    ['running', pod('p', 'r'), undefined],
  ])('%s', (_title, p, expected) => {
    expect(stuckReason(p)).toBe(expected);
  });
});
