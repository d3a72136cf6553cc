// The test harness plays metrics-server: a real cluster's metrics API (metrics.k8s.io/v1beta1,
// PodMetrics) is an aggregated API that metrics-server serves from what the kubelets measure,
// and the test API server has neither. Here a CustomResourceDefinition of the same group,
// version, kind and plural makes the API server itself serve
// /apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods (list, label selectors and all), and tests
// write the PodMetrics objects metrics-server would: one per pod, named and labelled as the
// pod, with each container's usage. The CRD is cluster-wide and shared by every test file
// (creating it again is fine; it is never deleted, other files' runtimes may be reading it).

import type { KubeConfig, V1CustomResourceDefinition, V1Pod } from '@kubernetes/client-node';
import { clientNode } from '../../src/runtime/kubernetes/client-node.js';
import { waitFor } from '../fixtures/wait.js';

const GROUP = 'metrics.k8s.io';
const VERSION = 'v1beta1';
const PLURAL = 'pods';

const quantity = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };

const CRD: V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: {
    name: `${PLURAL}.${GROUP}`,
    // *.k8s.io groups are protected: the API server wants this annotation on a CRD of one
    annotations: { 'api-approved.kubernetes.io': 'unapproved, test harness playing metrics-server' },
  },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: PLURAL, singular: 'podmetrics', kind: 'PodMetrics', listKind: 'PodMetricsList' },
    versions: [{
      name: VERSION,
      served: true,
      storage: true,
      // PodMetrics has no spec or status: its fields are at the top level, as metrics-server serves them
      schema: {
        openAPIV3Schema: {
          type: 'object',
          properties: {
            timestamp: { type: 'string' },
            window: { type: 'string' },
            containers: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  name: { type: 'string' },
                  usage: { type: 'object', properties: { cpu: quantity, memory: quantity } },
                },
              },
            },
          },
        },
      },
    }],
  },
} as V1CustomResourceDefinition;

/** Makes the API server serve the metrics API (idempotent); returns once it answers in `namespace`. */
export async function installMetricsApi(kc: KubeConfig, namespace: string): Promise<void> {
  const k8s = await clientNode();
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  await ext.createCustomResourceDefinition({ body: CRD }).catch((err: unknown) => {
    if ((err as { code?: number }).code !== 409) throw err; // 409: another test file made it
  });
  await waitFor(async () => {
    const crd = await ext.readCustomResourceDefinition({ name: CRD.metadata!.name! });
    return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  }, { timeout: 30_000, interval: 100, message: 'the PodMetrics CRD to be established' });
  await waitFor(() => custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL }).then(() => true, () => false), {
    timeout: 30_000, interval: 100, message: `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/pods to answer`,
  });
}

export interface ContainerUsage {
  /** a CPU quantity, as metrics-server writes it: `123456789n`, or `250m` */
  cpu: string;
  /** a memory quantity: `65536Ki`, `64Mi` */
  memory: string;
}

/** Writes (creates or replaces) the PodMetrics of a pod, as metrics-server would report it at `at`. */
export async function writePodMetrics(kc: KubeConfig, pod: Pick<V1Pod, 'metadata'>, containers: Record<string, ContainerUsage>, at = new Date()): Promise<void> {
  const k8s = await clientNode();
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const { name, namespace, labels } = pod.metadata!;
  const body = {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'PodMetrics',
    metadata: { name, namespace, labels: labels ?? {} },
    timestamp: at.toISOString(),
    window: '30s',
    containers: Object.entries(containers).map(([container, usage]) => ({ name: container, usage })),
  };
  await custom.patchNamespacedCustomObject(
    { group: GROUP, version: VERSION, namespace: namespace!, plural: PLURAL, name: name!, body, fieldManager: 'metrics-server', force: true },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
  );
}

/** Deletes a pod's PodMetrics (metrics-server stops reporting a pod that is gone). */
export async function deletePodMetrics(kc: KubeConfig, namespace: string, name: string): Promise<void> {
  const k8s = await clientNode();
  await kc.makeApiClient(k8s.CustomObjectsApi).deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name }).catch((err: unknown) => {
    if ((err as { code?: number }).code !== 404) throw err;
  });
}
