// The runtime flags `tutti up` and `tutti server` share: `--runtime <process|kubernetes>`
// (wins over the manifest's `runtime:`), and for kubernetes `--context` and `--namespace`.
// They become the daemon's own flags when `up` starts one.

import type { Command } from 'commander';
import { TuttiError } from '../core/index.js';

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
