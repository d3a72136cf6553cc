// The kubernetes driver's public door: render a stack (pure), render the control plane, find
// the cluster, and the Runtime that applies services as Deployments and Services (Jobs for
// services that run to completion).
export { renderStack, checkNamespace, checkRunnable, type StackRenderOptions } from './render-stack.js';
export { renderService, containerPort, type KubernetesServiceSpec, type ServiceObjects } from './render-service.js';
export { renderJob, isJobService, JOB_RETRIES_ON_FAILURE, type JobObjects } from './render-job.js';
export { renderControlPlane, CONTROL_PLANE_RULES, type ControlPlaneOptions } from './render-control-plane.js';
export { toYamlDocuments } from './render-yaml.js';
export { loadClusterTarget, type ClusterTarget, type ClusterTargetOptions } from './kube-config.js';
export { createKubernetesRuntime, type KubernetesRuntime, type KubernetesRuntimeOptions } from './kubernetes-runtime.js';
export type { RequestCounts } from './kube-api.js';
