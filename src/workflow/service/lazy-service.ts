// The workflow service as the daemon holds it: the engine (jq in WebAssembly, the schema
// compiler) is loaded only once a workflow exists — at start-up when the store holds
// definitions (to resume runs and arm schedules), otherwise on the first deploy. Until then the
// listings are answered from the store alone, and a control plane that never runs a workflow
// never pays for the engine.

import type { WorkflowServiceOptions } from './workflow-service.js';
import { listWorkflowSummaries } from './definition-views.js';
import { summaryOf } from './run-views.js';
import type { WorkflowService } from './types.js';

export interface LazyWorkflowService extends WorkflowService {
  /** whether the engine is loaded */
  readonly loaded: boolean;
}

export function createLazyWorkflowService(opts: WorkflowServiceOptions): LazyWorkflowService {
  let service: WorkflowService | undefined;
  let loading: Promise<WorkflowService> | undefined;
  let closed = false;

  const load = (): Promise<WorkflowService> => {
    loading ??= import('./workflow-service.js').then(async (m) => {
      const s = await m.createWorkflowService(opts);
      service = s;
      if (closed) await s.close();
      return s;
    });
    loading.catch(() => (loading = undefined)); // a failed load is tried again on the next call
    return loading;
  };

  return {
    get loaded() {
      return service !== undefined;
    },
    deploy: async (doc, origin) => (await load()).deploy(doc, origin),
    deployAll: async (docs, origin) => (await load()).deployAll(docs, origin),
    listWorkflows: async () => (service ? service.listWorkflows() : listWorkflowSummaries(opts.store, opts.meta)),
    getWorkflow: async (name, version) => (await load()).getWorkflow(name, version),
    startRun: async (name, input, version) => (await load()).startRun(name, input, version),
    listRuns: async (query) => {
      if (service) return service.listRuns(query);
      const page = await opts.store.listRuns(query);
      return { ...page, runs: page.runs.map(summaryOf) };
    },
    getRun: async (id) => (await load()).getRun(id),
    cancel: async (id) => (await load()).cancel(id),
    suspend: async (id) => (await load()).suspend(id),
    resume: async (id) => (await load()).resume(id),
    watch: async (id, listener) => (await load()).watch(id, listener),
    async resumeUnfinished() {
      const [definitions, unfinished] = await Promise.all([opts.store.listDefinitions(), opts.store.listUnfinishedRuns()]);
      if (definitions.length === 0 && unfinished.length === 0) return;
      await (await load()).resumeUnfinished();
    },
    detach: async () => service?.detach(),
    async close() {
      closed = true;
      if (service) await service.close();
      else if (loading) await loading.then((s) => s.close(), () => {});
    },
  };
}
