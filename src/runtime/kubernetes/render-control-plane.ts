// Pure: the control plane itself as Kubernetes objects, for running `tutti server` inside the
// cluster it deploys to: a ServiceAccount, the least RBAC the kubernetes driver needs in its
// namespace (a Role and its RoleBinding — nothing cluster-wide), a Service, and a Deployment
// of one replica (state in SQLite on a volume; several replicas need PostgreSQL).

import type { KubernetesObject, V1Deployment, V1PolicyRule, V1Role, V1RoleBinding, V1Service, V1ServiceAccount } from '@kubernetes/client-node';
import { LABEL_NAME } from './names.js';

export interface ControlPlaneOptions {
  namespace: string;
  /** the control plane's image (one with `tutti` as its entrypoint) */
  image: string;
  /** name of every object; default "tutti" */
  name?: string;
  /** port the API listens on; default 8080 */
  port?: number;
}

/** What the driver does, verb by verb: apply (create + patch), read and watch, prune (delete). */
export const CONTROL_PLANE_RULES: V1PolicyRule[] = [
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'] },
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'] },
  { apiGroups: [''], resources: ['services', 'secrets'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  { apiGroups: [''], resources: ['events'], verbs: ['list'] },
  // `tutti top`: the pods' CPU and memory, where the cluster serves the metrics API (metrics-server)
  { apiGroups: ['metrics.k8s.io'], resources: ['pods'], verbs: ['get', 'list'] },
];

export function renderControlPlane(opts: ControlPlaneOptions): KubernetesObject[] {
  const name = opts.name ?? 'tutti';
  const port = opts.port ?? 8080;
  const { namespace } = opts;
  // not `managed-by: tutti`: whoever applies these manages them, and tutti must not take the
  // control plane for one of the services it deploys (its pods would show up as instances)
  const labels = { [LABEL_NAME]: name, 'app.kubernetes.io/component': 'control-plane' };
  const selector = { [LABEL_NAME]: name, 'app.kubernetes.io/component': 'control-plane' };
  const metadata = { name, namespace, labels };

  const account: V1ServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata };
  const role: V1Role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules: CONTROL_PLANE_RULES };
  const binding: V1RoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  };
  const service: V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: { selector, ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP' }] },
  };
  const probe = { httpGet: { path: '/healthz', port }, periodSeconds: 5, timeoutSeconds: 2 };
  const deployment: V1Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: 1,
      // one writer of the SQLite database at a time
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: name,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 },
          containers: [{
            name,
            image: opts.image,
            args: ['server', '--dir', '/data', '--host', '0.0.0.0', '--port', String(port), '--runtime', 'kubernetes', '--namespace', namespace],
            ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
            readinessProbe: probe,
            livenessProbe: { ...probe, failureThreshold: 6 },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            volumeMounts: [{ name: 'state', mountPath: '/data' }],
          }],
          // the applied stack, tokens and logs; swap in a PersistentVolumeClaim to keep them across pod restarts
          volumes: [{ name: 'state', emptyDir: {} }],
        },
      },
    },
  };
  return [account, role, binding, service, deployment];
}
