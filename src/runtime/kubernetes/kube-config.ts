// Which cluster, as whom, in which namespace: the kubeconfig is found as kubectl finds it
// (KUBECONFIG, then ~/.kube/config, then the pod's service account), through
// @kubernetes/client-node; `--context` picks another context and `--namespace` another
// namespace (default: the context's, else "default"). Nothing here talks to the cluster.

import type { KubeConfig } from '@kubernetes/client-node';
import { TuttiError } from '../../core/index.js';
import { clientNode } from './client-node.js';

export interface ClusterTargetOptions {
  context?: string;
  namespace?: string;
  /** an already loaded configuration (tests, embedders); default: loadFromDefault() */
  kubeConfig?: KubeConfig;
}

export interface ClusterTarget {
  kubeConfig: KubeConfig;
  context: string;
  namespace: string;
  /** the API server's URL, for messages */
  server: string;
  user: string;
}

export async function loadClusterTarget(opts: ClusterTargetOptions = {}): Promise<ClusterTarget> {
  let kc = opts.kubeConfig;
  if (!kc) {
    kc = new (await clientNode()).KubeConfig();
    try {
      kc.loadFromDefault();
    } catch (err) {
      throw new TuttiError('TUTTI_E_BAD_REQUEST', `cannot read the kubeconfig: ${(err as Error).message}`, {
        hint: process.env.KUBECONFIG ? `check the file(s) KUBECONFIG names: ${process.env.KUBECONFIG}` : 'check ~/.kube/config',
      });
    }
    // client-node's last resort when nothing is configured: an anonymous http://localhost:8080
    if (kc.getCurrentContext() === 'loaded-context' && kc.getCurrentCluster()?.server === 'http://localhost:8080') {
      throw new TuttiError('TUTTI_E_BAD_REQUEST', 'no Kubernetes configuration found: KUBECONFIG is not set, ~/.kube/config does not exist, and this is not a pod with a service account', {
        hint: 'point KUBECONFIG at your cluster\'s kubeconfig, or run `kubectl config view` to check what kubectl uses',
      });
    }
  }
  if (opts.context !== undefined) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new TuttiError('TUTTI_E_BAD_REQUEST', `the kubeconfig has no context named ${opts.context}`, {
        hint: known.length > 0 ? `contexts: ${known.join(', ')}` : 'the kubeconfig defines no context',
      });
    }
    kc.setCurrentContext(opts.context);
  }
  const context = kc.getCurrentContext();
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `the kubeconfig's context ${context || '(none)'} names no cluster`, {
      hint: 'run `kubectl config get-contexts` and pick one with --context',
    });
  }
  const namespace = opts.namespace ?? kc.getContextObject(context)?.namespace ?? 'default';
  return { kubeConfig: kc, context, namespace, server: cluster.server, user: kc.getCurrentUser()?.name ?? '' };
}
