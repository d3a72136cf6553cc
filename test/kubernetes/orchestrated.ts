// For tests that drive the kubernetes runtime through the orchestrator: an in-memory store and
// a wait for an operation to end.

import type { StackSpec } from '../../src/core/index.js';
import type { DesiredService, OperationInfo, Orchestrator, OrchestratorStore } from '../../src/orchestrator/index.js';
import { waitFor } from '../fixtures/wait.js';

export function memoryStore(): OrchestratorStore {
  let stack: { spec: StackSpec; appliedAt: number } | undefined;
  const services = new Map<string, DesiredService>();
  return {
    stack: { get: async () => stack, put: async (s) => void (stack = { spec: s, appliedAt: Date.now() }), delete: async () => void (stack = undefined) },
    services: { list: async () => [...services.values()], put: async (d) => void services.set(d.name, d), delete: async (n) => void services.delete(n) },
    events: { add: async () => {} },
  };
}

export function finished(orchestrator: Orchestrator, id: string): Promise<OperationInfo> {
  return waitFor(() => {
    const op = orchestrator.operation(id);
    return op?.done ? op : undefined;
  }, { timeout: 60_000, message: `operation ${id}` });
}
