// Which runtime the daemon drives the stack with: the one asked for (`--runtime`, or the
// manifest's `runtime:` that `tutti up` passes on), else the one this project last used,
// remembered in the store so a restarted daemon keeps driving the same processes or the same
// cluster namespace. Switching runtime under an applied stack is refused: its services would
// be left running where nothing manages them. The kubernetes driver (and @kubernetes/client-node,
// external to the daemon bundle) is loaded only when chosen.

import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { TuttiError } from '../core/index.js';
import type { Runtime } from '../runtime/index.js';

export type RuntimeName = 'process' | 'kubernetes';

export interface RuntimeChoice {
  runtime: RuntimeName;
  /** kubeconfig context (kubernetes); default: the kubeconfig's current one */
  context?: string;
  /** namespace (kubernetes); default: the context's, else "default" */
  namespace?: string;
}

interface Meta {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

const META_KEY = 'runtime';

/** The choice to run with: the request completed by what the project used before; throws on a switch under a stack. */
export async function chooseRuntime(requested: Partial<RuntimeChoice>, meta: Meta, stackApplied: boolean): Promise<RuntimeChoice> {
  // a stack applied before the choice was remembered ran as local processes
  const previous = (await rememberedRuntime(meta)) ?? (stackApplied ? { runtime: 'process' } : undefined);
  const runtime = requested.runtime ?? previous?.runtime ?? 'process';
  const same = previous?.runtime === 'kubernetes' ? previous : undefined;
  const choice: RuntimeChoice = runtime === 'process'
    ? { runtime }
    : { runtime, context: requested.context ?? same?.context, namespace: requested.namespace ?? same?.namespace };
  if (stackApplied && previous) {
    const moved = previous.runtime !== runtime
      || (requested.context !== undefined && requested.context !== previous.context)
      || (requested.namespace !== undefined && requested.namespace !== previous.namespace);
    if (moved) {
      throw new TuttiError('TUTTI_E_CONFLICT', `this project's stack runs on ${describe(previous)}, not ${describe(choice)}`, {
        hint: 'run `tutti down` first (it stops the stack where it runs), then `tutti up` with the new runtime',
      });
    }
  }
  return choice;
}

export async function rememberedRuntime(meta: Meta): Promise<RuntimeChoice | undefined> {
  const raw = await meta.get(META_KEY);
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as RuntimeChoice;
    return parsed.runtime === 'kubernetes' || parsed.runtime === 'process' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps the choice in the store (for the next daemon) and in `.tutti/runtime.json` (for the
 *  CLI: `tutti up` without --runtime compiles the manifest for the runtime the project uses). */
export async function rememberRuntime(meta: Meta, choice: RuntimeChoice, stateDir?: string): Promise<void> {
  await meta.set(META_KEY, JSON.stringify(choice));
  if (stateDir) {
    const tmp = path.join(stateDir, `${RUNTIME_FILE}.${process.pid}`);
    writeFileSync(tmp, JSON.stringify(choice, null, 2) + '\n');
    renameSync(tmp, path.join(stateDir, RUNTIME_FILE));
  }
}

export const RUNTIME_FILE = 'runtime.json';

/** Creates the kubernetes driver for the choice (loaded on demand); the process runtime is the daemon's own. */
export async function createKubernetesFor(choice: RuntimeChoice, stack: string | undefined, logger: Logger): Promise<Runtime & { readonly namespace: string; readonly context: string }> {
  const k8s = await import('../runtime/kubernetes/index.js');
  return k8s.createKubernetesRuntime({ context: choice.context, namespace: choice.namespace, stack, logger });
}

function describe(c: RuntimeChoice): string {
  if (c.runtime === 'process') return 'the process runtime';
  const where = [c.context && `context ${c.context}`, c.namespace && `namespace ${c.namespace}`].filter(Boolean).join(', ');
  return `the kubernetes runtime${where ? ` (${where})` : ''}`;
}
