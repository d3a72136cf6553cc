// job-status: when an apply of a Job is done (its pods started, or it completed), when it has
// failed (the Failed condition, with the failing pod's exit; a pod that cannot start), when a
// crash loop is a retry the job controller bounds (restartPolicy OnFailure), and how a pod's
// end reads.

import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { jobVerdict, podExit } from './job-status.js';

const job = (over: { parallelism?: number; completions?: number; restartPolicy?: 'Never' | 'OnFailure'; status?: V1Job['status'] } = {}): V1Job => ({
  metadata: { name: 'migrate', uid: 'job-1' },
  spec: { parallelism: over.parallelism ?? 1, completions: over.completions ?? 1, template: { spec: { restartPolicy: over.restartPolicy ?? 'Never', containers: [] } } },
  status: over.status ?? {},
});

type PodState = 'pending' | 'ready' | 'succeeded' | 'failed' | 'crash' | 'pull' | 'config';

const pod = (name: string, state: PodState, owner = 'job-1'): V1Pod => {
  const terminated = { exitCode: state === 'succeeded' ? 0 : 3, reason: state === 'succeeded' ? 'Completed' : 'Error' };
  const containerStatus = {
    name: 'c', image: 'i', imageID: '', ready: state === 'ready', restartCount: state === 'crash' ? 2 : 0,
    state: state === 'ready' ? { running: {} }
      : state === 'succeeded' || state === 'failed' ? { terminated }
        : state === 'crash' ? { waiting: { reason: 'CrashLoopBackOff' } }
          : state === 'pull' ? { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } }
            : state === 'config' ? { waiting: { reason: 'CreateContainerConfigError', message: 'secret "migrate-env" not found' } } : { waiting: { reason: 'ContainerCreating' } },
    ...(state === 'crash' && { lastState: { terminated } }),
  };
  return {
    metadata: { name, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'migrate', uid: owner }] },
    status: {
      phase: state === 'succeeded' ? 'Succeeded' : state === 'failed' ? 'Failed' : state === 'pending' || state === 'pull' || state === 'config' ? 'Pending' : 'Running',
      conditions: [{ type: 'Ready', status: state === 'ready' ? 'True' : 'False' }],
      containerStatuses: [containerStatus],
    },
  };
};

describe('jobVerdict', () => {
  it.each<[string, V1Job, V1Pod[], ReturnType<typeof jobVerdict>]>([
    ['no pod yet', job(), [], { state: 'waiting', reason: '0 of 1 pod started' }],
    ['its pod is pending', job(), [pod('a', 'pending')], { state: 'waiting', reason: '0 of 1 pod started' }],
    ['its pod runs and is ready', job(), [pod('a', 'ready')], { state: 'done', complete: false }],
    ['its pod already succeeded', job(), [pod('a', 'succeeded')], { state: 'done', complete: true }],
    ['the Complete condition', job({ status: { conditions: [{ type: 'Complete', status: 'True' }] } }), [], { state: 'done', complete: true }],
    ['one of two pods started', job({ parallelism: 2, completions: 2 }), [pod('a', 'ready'), pod('b', 'pending')], { state: 'waiting', reason: '1 of 2 pods started' }],
    ['one succeeded, one ready', job({ parallelism: 2, completions: 2 }), [pod('a', 'succeeded'), pod('b', 'ready')], { state: 'done', complete: false }],
    ['parallelism 0 (stopped)', job({ parallelism: 0 }), [], { state: 'done', complete: false }],
    ['pods of another Job do not count', job(), [pod('old', 'ready', 'job-0')], { state: 'waiting', reason: '0 of 1 pod started' }],
    ['a pod that cannot pull its image', job(), [pod('a', 'pull')], { state: 'failed', reason: 'pod a: ImagePullBackOff: Back-off pulling image "x"', pod: 'a' }],
  ])('%s', (_what, j, pods, verdict) => {
    expect(jobVerdict(j, pods)).toEqual(verdict);
  });
});

describe('jobVerdict under restartPolicy OnFailure (`restart: on-failure`, backoffLimit 6)', () => {
  const onFailure = (over: Parameters<typeof job>[0] = {}) => job({ restartPolicy: 'OnFailure', ...over });
  it.each<[string, V1Job, V1Pod[], ReturnType<typeof jobVerdict>]>([
    ['a crash loop is a retry: waiting for the Job\'s verdict', onFailure(), [pod('a', 'crash')],
      { state: 'waiting', reason: '0 of 1 pod started; pod a is retrying (CrashLoopBackOff: exited with code 3, restarted 2 times)', retrying: true }],
    ['the Failed condition once the retries are used up', onFailure({ status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] } }),
      [pod('a', 'crash')], { state: 'failed', reason: 'BackoffLimitExceeded: Job has reached the specified backoff limit; pod a exited with code 3', pod: 'a' }],
    ['one pod retrying while another started: the run has started', onFailure({ parallelism: 2, completions: 2 }), [pod('a', 'crash'), pod('b', 'ready')], { state: 'waiting', reason: '1 of 2 pods started; pod a is retrying (CrashLoopBackOff: exited with code 3, restarted 2 times)', retrying: true }],
    ['the retried pod succeeds', onFailure(), [pod('a', 'succeeded')], { state: 'done', complete: true }],
    ['an image that cannot be pulled still fails at once', onFailure(), [pod('a', 'pull')], { state: 'failed', reason: 'pod a: ImagePullBackOff: Back-off pulling image "x"', pod: 'a' }],
    ['a missing Secret still fails at once', onFailure(), [pod('a', 'config')], { state: 'failed', reason: 'pod a: CreateContainerConfigError: secret "migrate-env" not found', pod: 'a' }],
    ['a crash loop next to a pod that cannot pull fails', onFailure({ parallelism: 2, completions: 2 }), [pod('a', 'crash'), pod('b', 'pull')], { state: 'failed', reason: 'pod b: ImagePullBackOff: Back-off pulling image "x"', pod: 'b' }],
    ['restartPolicy Never: a crash loop (never seen there) is not waited for', job(), [pod('a', 'crash')], { state: 'failed', reason: 'pod a: CrashLoopBackOff: exited with code 3, restarted 2 times', pod: 'a' }],
    ['the Failed condition, with the failed pod', job({ status: { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] } }),
      [pod('a', 'failed')], { state: 'failed', reason: 'BackoffLimitExceeded: Job has reached the specified backoff limit; pod a exited with code 3', pod: 'a' }],
    ['a failed pod before the controller said so: waiting for its verdict', job(), [pod('a', 'failed')], { state: 'waiting', reason: '0 of 1 pod started' }],
  ])('%s', (_what, j, pods, verdict) => {
    expect(jobVerdict(j, pods)).toEqual(verdict);
  });
});

describe('podExit', () => {
  it('says how the container ended, or the pod\'s own reason', () => {
    expect(podExit(pod('a', 'failed'))).toBe('exited with code 3');
    expect(podExit(pod('a', 'crash'))).toBe('exited with code 3');
    const evicted: V1Pod = { status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' } };
    expect(podExit(evicted)).toBe('The node was low on resource: memory.');
    const oom: V1Pod = { status: { containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] } };
    expect(podExit(oom)).toBe('exited with code 137 (OOMKilled)');
  });
});
