// Parts of the control plane that follow the applied stack (the monitor, the DNS interface)
// hear about it here: the orchestrator is wrapped so that every accepted apply and every
// down passes through a listener, and everything else goes straight through.

import type { StackSpec } from '../core/index.js';
import type { Orchestrator } from '../orchestrator/types.js';

/** The orchestrator, calling `listener` after each accepted apply (the new stack) and down (undefined). */
export function onStackChange(orchestrator: Orchestrator, listener: (stack: StackSpec | undefined) => Promise<void>): Orchestrator {
  const o = orchestrator;
  return {
    status: () => o.status(),
    spec: () => o.spec(),
    apply: async (stack) => {
      const op = await o.apply(stack);
      await listener(stack).catch(() => {});
      return op;
    },
    restart: (s) => o.restart(s),
    scale: (s, n) => o.scale(s, n),
    stop: (s) => o.stop(s),
    start: (s) => o.start(s),
    down: async () => {
      const op = await o.down();
      await listener(undefined).catch(() => {});
      return op;
    },
    operation: (id) => o.operation(id),
    followOperation: (id, listener) => o.followOperation(id, listener),
    logs: (q, signal) => o.logs(q, signal),
    stats: () => o.stats(),
    scores: (s) => o.scores(s),
    close: () => o.close(),
  };
}
