// The runtime flags `tutti up` and `tutti server` share: `--runtime <process|kubernetes>`
// (wins over the manifest's `runtime:`), and for kubernetes `--context` and `--namespace`.
// They become the daemon's own flags when `up` starts one.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { TuttiError } from '../core/index.js';
import type { VersionInfo } from '../client/index.js';

export type RuntimeName = 'process' | 'kubernetes';

export interface RuntimeFlags {
  runtime?: RuntimeName;
  context?: string;
  namespace?: string;
}

export function withRuntimeOptions(cmd: Command): Command {
  return cmd
    .option('--runtime <runtime>', 'where services run: process (local processes) or kubernetes (default: the manifest\'s runtime:, else process)', parseRuntime)
    .option('--context <name>', 'kubernetes: the kubeconfig context (default: its current one)')
    .option('--namespace <name>', 'kubernetes: the namespace (default: the context\'s, else "default")');
}

export function parseRuntime(value: string): RuntimeName {
  if (value === 'process' || value === 'kubernetes') return value;
  throw new TuttiError('TUTTI_E_BAD_REQUEST', `unknown runtime ${value}`, { hint: '--runtime is process or kubernetes' });
}

/** The daemon's command-line flags for these choices. */
export function daemonArgs(flags: RuntimeFlags): string[] {
  return [
    ...(flags.runtime ? ['--runtime', flags.runtime] : []),
    ...(flags.context !== undefined ? ['--context', flags.context] : []),
    ...(flags.namespace !== undefined ? ['--namespace', flags.namespace] : []),
  ];
}

/** The runtime the project's control plane used last (`.tutti/runtime.json`, written by the
 *  daemon), so `tutti up` without --runtime goes on where the stack runs. */
export function projectRuntime(stateDir: string): RuntimeFlags | undefined {
  try {
    const saved = JSON.parse(readFileSync(path.join(stateDir, 'runtime.json'), 'utf8')) as { runtime?: unknown; context?: string; namespace?: string };
    if (saved.runtime !== 'process' && saved.runtime !== 'kubernetes') return undefined;
    return { runtime: saved.runtime, context: saved.context, namespace: saved.namespace };
  } catch {
    return undefined;
  }
}

/** A running control plane drives one cluster namespace (the orchestrator itself refuses a
 *  stack compiled for another runtime): refuse --context / --namespace naming another one,
 *  which would otherwise be ignored and the stack applied where the daemon points. */
export function checkDaemonRuntime(daemon: VersionInfo['runtime'], flags: RuntimeFlags): void {
  if (daemon?.name !== 'kubernetes') return;
  const differs = (['context', 'namespace'] as const).find((k) => flags[k] !== undefined && flags[k] !== daemon[k]);
  if (!differs) return;
  throw new TuttiError('TUTTI_E_CONFLICT', `this project's control plane runs services in kubernetes ${differs} ${daemon[differs] ?? '(the kubeconfig\'s current one)'}, not ${flags[differs]}`, {
    hint: '`tutti down` stops the stack where it runs and the control plane; then `tutti up` with the new choice',
  });
}

/** --context / --namespace only mean something on kubernetes. */
export function checkRuntimeFlags(runtime: RuntimeName | undefined, flags: RuntimeFlags): void {
  if (runtime === 'kubernetes') return;
  const stray = (['context', 'namespace'] as const).filter((k) => flags[k] !== undefined);
  if (stray.length > 0) {
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `--${stray[0]} applies to the kubernetes runtime only`, {
      hint: 'add --runtime kubernetes (or `runtime: kubernetes` in the manifest)',
    });
  }
}
