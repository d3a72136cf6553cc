// Workflows follow the stack's lifecycle:
// - `up` (apply): the manifest's `workflows:` (files relative to the manifest) are deployed
//   before anything else happens; a file that is missing, invalid, or that changed without a new
//   `document.version` refuses the whole `up` with a message naming the file, the stack untouched.
//   Deploying an unchanged file again is a no-op.
// - `down`: the runs going on are stopped first and left `running` in the store, so they do not
//   fault because the services they call are being stopped; they resume once a stack is up again
//   (the next apply has completed). A control plane that starts after a `down`, with no stack,
//   waits for that apply before resuming runs and arming schedules; otherwise it resumes them at
//   once (a restart or a crash leaves the stack running, adopted by the new daemon).

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { TuttiError, type StackSpec } from '../../core/index.js';
import type { Orchestrator } from '../../orchestrator/types.js';
import type { MetaRepository } from '../../store/index.js';
import type { WorkflowService, WorkflowSourceFile } from './types.js';

/** set by a `down`, cleared once an apply has completed: runs wait for a stack */
const WAITING_FOR_STACK = 'workflow.resume-after-up';

/** Reads and deploys the stack's workflow files (origin manifest); rejects without storing any on the first problem. */
export async function deployManifestWorkflows(stack: Pick<StackSpec, 'dir' | 'workflows'>, workflows: Pick<WorkflowService, 'deployAll'>): Promise<void> {
  const files = stack.workflows ?? [];
  if (files.length === 0) return;
  const docs: WorkflowSourceFile[] = [];
  for (const file of files) {
    const full = path.resolve(stack.dir, file);
    try {
      docs.push({ source: await readFile(full, 'utf8'), file });
    } catch (err) {
      throw new TuttiError('TUTTI_E_BAD_REQUEST', `workflows: ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
        hint: `the manifest's workflows: lists files relative to the manifest; ${full} should hold a Serverless Workflow document`,
        details: { file },
      });
    }
  }
  await workflows.deployAll(docs, 'manifest');
}

export interface StackWorkflows {
  /** the orchestrator, with workflows following apply and down */
  readonly orchestrator: Orchestrator;
  /** at daemon start: resumes unfinished runs and arms schedules, or waits for the next apply after a down */
  start(): Promise<void>;
}

export function stackWorkflows(
  orchestrator: Orchestrator,
  workflows: Pick<WorkflowService, 'deployAll' | 'detach' | 'resumeUnfinished'>,
  opts: { meta: Pick<MetaRepository, 'get' | 'set'>; logger: Pick<Logger, 'error'> },
): StackWorkflows {
  let waiting = false;
  const resume = () => workflows.resumeUnfinished().catch((err: unknown) => opts.logger.error({ err }, 'resuming workflow runs failed'));

  const wrapped = new Proxy(orchestrator, {
    get(target, prop) {
      if (prop === 'apply') {
        return async (stack: StackSpec) => {
          await deployManifestWorkflows(stack, workflows);
          const op = await target.apply(stack);
          if (waiting) {
            const stop = target.followOperation(op.id, (e) => {
              if (e.phase !== 'complete') return;
              // every subscription ends with its operation, whatever happened meanwhile
              queueMicrotask(() => stop());
              // a failed apply leaves the runs waiting for the next one
              if (!waiting || e.ok === false) return;
              waiting = false;
              opts.meta
                .set(WAITING_FOR_STACK, '0')
                .catch((err: unknown) => opts.logger.error({ err }, 'the control plane could not note that the stack is back; runs resume anyway'))
                .then(resume, resume);
            });
          }
          return op;
        };
      }
      if (prop === 'down') {
        return async () => {
          await workflows.detach();
          waiting = true;
          await opts.meta.set(WAITING_FOR_STACK, '1');
          return target.down();
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });

  return {
    orchestrator: wrapped,
    async start() {
      if (!orchestrator.status() && (await opts.meta.get(WAITING_FOR_STACK)) === '1') {
        waiting = true;
        return;
      }
      await resume();
    },
  };
}
