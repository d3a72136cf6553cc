// `tutti alerts`: every alert rule of the stack with its state, and one row per alert (label
// set) it holds: when it became active or fired, and the value that made it.

import type { Command } from 'commander';
import pc from 'picocolors';
import { formatDuration } from '../../core/index.js';
import type { Alert, AlertRuleView } from '../../client/index.js';
import { connect } from '../daemon-control.js';
import { colourState, printJson, table, type GlobalOptions } from '../output.js';
import { resolveProject } from '../project.js';

export function registerAlerts(program: Command): void {
  program
    .command('alerts')
    .description('list the alert rules with their state and alerts')
    .action(async (_o: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const project = resolveProject({ file: g.file });
      const client = await connect(project, { start: 'if-state', url: g.url, token: g.token });
      const view = await client.alerts();
      if (g.json) return printJson(view);
      if (view.rules.length === 0) {
        process.stdout.write(pc.dim('no alert rules (add them under alerts: in the manifest)') + '\n');
        return;
      }
      process.stdout.write(table(['RULE', 'STATE', 'LABELS', 'SINCE', 'VALUE'], alertRows(view.rules, Date.now())) + '\n');
      for (const r of view.rules) if (r.lastError) process.stdout.write(`${pc.dim(`${r.name}:`)} ${pc.red(r.lastError)}\n`);
    });
}

/** One row per alert; a rule without alerts gets one row of its own. */
export function alertRows(rules: readonly AlertRuleView[], now: number): string[][] {
  return rules.flatMap((r) =>
    r.alerts.length === 0
      ? [[r.name, colourState(r.state), '-', '-', '-']]
      : r.alerts.map((a) => [r.name, colourState(a.state), labelText(a), since(a, now), String(a.value)]),
  );
}

function labelText(a: Alert): string {
  const shown = Object.entries(a.labels).filter(([k]) => k !== 'alertname');
  return shown.length === 0 ? '-' : shown.map(([k, v]) => `${k}=${v}`).join(',');
}

function since(a: Alert, now: number): string {
  const at = a.state === 'resolved' ? a.resolvedAt : a.state === 'firing' ? a.firedAt : a.activeAt;
  return at === undefined ? '-' : `${formatDuration(Math.max(0, now - at))} ago`;
}
