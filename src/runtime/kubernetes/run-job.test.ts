// run-job: the Job a restart creates anew — as tutti last rendered it when the cluster holds
// that render, else the live Job without what the API server added (the uid and name labels
// of its template, old and `batch.kubernetes.io/` ones since Kubernetes 1.27, its selector) —
// and a body that would still name the old Job is refused before anything is deleted.

import type { V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { testServiceSpec } from '../../core/test-service-spec.js';
import { renderJob } from './render-job.js';
import type { KubernetesServiceSpec } from './render-service.js';
import { GENERATED_LABELS, jobBody, rerunBody } from './run-job.js';

const rendered = renderJob({
  spec: testServiceSpec('migrate', { image: 'registry.example/migrate:1', command: [], restart: 'never', revision: 'migrate-r1' }) as KubernetesServiceSpec,
  stack: 'shop',
  namespace: 'apps',
  replicas: 1,
}).job;

/** The Job as a 1.27+ API server holds it after creating `rendered`. */
function live(from: V1Job = rendered): V1Job {
  const j = structuredClone(from);
  const uid = '5f1c8e2a-0000-4000-8000-000000000001';
  j.metadata = { ...j.metadata, uid, resourceVersion: '42', creationTimestamp: new Date(0) };
  j.spec!.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  j.spec!.manualSelector = false;
  j.spec!.template.metadata!.labels = {
    ...j.spec!.template.metadata!.labels,
    'controller-uid': uid, 'job-name': 'migrate', 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'migrate',
  };
  j.spec!.template.spec = { ...j.spec!.template.spec!, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler' };
  j.status = { active: 1, startTime: new Date(0) };
  return j;
}

describe('jobBody (the live Job without what the API server set)', () => {
  it('strips all four generated template labels, the selector, uid and status', () => {
    const body = jobBody(live());
    const labels = body.spec!.template.metadata!.labels!;
    for (const label of GENERATED_LABELS) expect(labels).not.toHaveProperty(label);
    expect(labels).toEqual(rendered.spec!.template.metadata!.labels);
    expect(body.spec).not.toHaveProperty('selector');
    expect(body.spec).not.toHaveProperty('manualSelector');
    expect(body.metadata).not.toHaveProperty('uid');
    expect(body.metadata).not.toHaveProperty('resourceVersion');
    expect(body).not.toHaveProperty('status');
    expect(body.metadata!.annotations).toEqual(rendered.metadata!.annotations);
  });
});

describe('rerunBody', () => {
  it('is the rendered Job when the cluster holds that render', () => {
    expect(rerunBody(live(), rendered)).toEqual(rendered);
  });

  it('is rebuilt from the live Job when this driver rendered none, or another render is live', () => {
    const other = renderJob({
      spec: testServiceSpec('migrate', { image: 'registry.example/migrate:2', command: [], restart: 'never', revision: 'migrate-r2' }) as KubernetesServiceSpec,
      stack: 'shop', namespace: 'apps', replicas: 1,
    }).job;
    for (const known of [undefined, rendered]) {
      const body = rerunBody(live(other), known);
      expect(body.spec!.template.spec!.containers[0].image).toBe('registry.example/migrate:2');
      expect(Object.keys(body.spec!.template.metadata!.labels!).filter((k) => /controller-uid|job-name/.test(k))).toEqual([]);
    }
  });

  it('refuses a body that still names the old Job, before anything is deleted', () => {
    const j = live();
    j.spec!.template.metadata!.labels!['example.com/controller-uid'] = 'x';
    expect(() => rerunBody(j, undefined)).toThrow(/cannot run Job migrate again: the Job to create would carry the labels example.com\/controller-uid/);
  });
});
