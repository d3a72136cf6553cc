// kube-errors: each way a call to the cluster fails, as one sentence with a hint.

import { describe, expect, it } from 'vitest';
import { kubeError } from './kube-errors.js';

const ctx = { server: 'https://k8s.example:6443', context: 'prod', namespace: 'shop', user: 'deployer' };
const api = (code: number, body: unknown) => Object.assign(new Error(`HTTP-Code: ${code}`), { code, body });

describe('kubeError', () => {
  it.each([
    ['an unreachable server', Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6443'), { code: 'ECONNREFUSED' }) }),
      'TUTTI_E_UNAVAILABLE', /^cannot reach the Kubernetes API at https:\/\/k8s\.example:6443 to list pods: connect ECONNREFUSED 10\.0\.0\.1:6443$/, /context prod/],
    ['a certificate the client does not trust', Object.assign(new TypeError('fetch failed'), { cause: new Error('self-signed certificate in certificate chain') }),
      'TUTTI_E_UNAVAILABLE', /: self-signed certificate in certificate chain$/, /cluster-info/],
    ['expired credentials', api(401, { message: 'Unauthorized' }),
      'TUTTI_E_UNAUTHORIZED', /refused the credentials of context prod \(401 Unauthorized\) when tutti tried to list pods; they may have expired/, /user deployer/],
    ['an RBAC refusal', api(403, { message: 'pods is forbidden: User "deployer" cannot list resource "pods" in API group "" in the namespace "shop"' }),
      'TUTTI_E_FORBIDDEN', /^not allowed to list pods in namespace shop: pods is forbidden: User "deployer"/, /tutti render control-plane/],
    ['a quota refusal', api(403, { message: 'pods "web-1" is forbidden: exceeded quota: compute, requested: cpu=2' }),
      'TUTTI_E_FORBIDDEN', /^cannot list pods: pods "web-1" is forbidden: exceeded quota/, /ResourceQuota of namespace shop/],
    ['a missing namespace', api(404, { message: 'namespaces "shop" not found', details: { name: 'shop', kind: 'namespaces' } }),
      'TUTTI_E_NOT_FOUND', /^namespace shop does not exist \(tried to list pods\)$/, /kubectl create namespace shop/],
    ['a field someone else owns', api(409, {
      message: 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas',
      reason: 'Conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using apps/v1', field: '.spec.replicas' }] },
    }), 'TUTTI_E_CONFLICT', /^cannot list pods: someone else changed fields tutti sets: \.spec\.replicas \(conflict with "kubectl-edit" using apps\/v1\)$/, /--force-conflicts/],
    ['an invalid object, with the body as text', api(422, '{"message":"Deployment.apps \\"web\\" is invalid: spec.replicas: Invalid value: -1"}'),
      'TUTTI_E_BAD_REQUEST', /^the Kubernetes API rejected the request to list pods: Deployment\.apps "web" is invalid/, undefined],
  ])('%s', (_title, err, code, message, hint) => {
    const e = kubeError(err, 'list pods', ctx);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    if (hint) expect(e.hint).toMatch(hint);
  });
});
