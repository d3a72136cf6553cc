// Workflows in the control plane: deploy definitions, run them durably (journal, resume after a
// restart), watch, cancel, suspend and resume runs, schedules, the runs' log and metrics. This
// door is light — types, the lazy service and the service resolver — so the daemon can import it
// at start; the engine itself loads when the first workflow exists (see lazy-service.ts).
export { createLazyWorkflowService, type LazyWorkflowService } from './lazy-service.js';
export { serviceResolver, type ServiceResolverSources } from './resolve-service.js';
export { workflowLogName } from './run-log.js';
export type { WorkflowServiceOptions } from './workflow-service.js';
export type * from './types.js';
export { deployManifestWorkflows, stackWorkflows, type StackWorkflows } from './stack-workflows.js';
