// Shared renderings: the stack summary after an operation and the failure report.

import pc from 'picocolors';
import type { OperationEvent, StackStatus } from '../../client/index.js';
import { colourState, percent, table } from '../output.js';

export function printStackSummary(status: StackStatus): void {
  process.stdout.write(`${pc.bold(status.name)} · stack health ${healthText(status.health)}\n`);
  const rows = status.services.map((s) => [
    s.name,
    colourState(s.state),
    `${s.ready}/${s.desired}`,
    s.clusterUrl ?? s.endpoint ?? '-',
    s.state === 'failed' || s.state === 'degraded' ? (s.message ?? '') : '',
  ]);
  process.stdout.write(table(['SERVICE', 'STATE', 'READY', 'ENDPOINT', ''], rows) + '\n');
}

export function healthText(h: number): string {
  const text = percent(h);
  return h >= 0.999 ? pc.green(text) : h >= 0.5 ? pc.yellow(text) : pc.red(text);
}

export function printFailures(failures: OperationEvent[]): void {
  for (const f of failures) {
    process.stderr.write(`\n${pc.red('✖')} ${pc.bold(f.service ?? 'stack')}: ${f.message ?? 'failed'}\n`);
    if (f.logs && f.logs.length > 0) {
      process.stderr.write(pc.dim(`  last log lines${f.instance ? ` of ${f.instance}` : ''}:\n`));
      for (const l of f.logs) process.stderr.write(`  ${pc.dim('│')} ${l}\n`);
    }
  }
}
