// The reconcile layer: applies stacks onto a runtime in dependency order.
export { createOrchestrator } from './orchestrator.js';
export type { OrchestratorOptions } from './orchestrator.js';
export type { DesiredService, OrchestratorStore } from './deps.js';
export * from './types.js';
export { planApply, urlVariable, dependencyEnv, deploymentRevision, reverseWaves } from './plan.js';
