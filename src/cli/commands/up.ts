// `tutti up [path] [--runtime process|kubernetes] [--context C] [--namespace N]`: validate the
// manifest, start the project's daemon if needed (on that runtime), apply, and
// show progress until every service is ready or one fails (then say why, with its last logs),
// then where the dashboard is (a one-time login link).

import type { Command } from 'commander';
import pc from 'picocolors';
import { loadManifestFile } from '../../core/manifest/index.js';
import { connect } from '../daemon-control.js';
import { followOperation } from '../follow.js';
import { printJson, type GlobalOptions } from '../output.js';
import { resolveProject } from '../project.js';
import { checkDaemonRuntime, checkRuntimeFlags, daemonArgs, projectRuntime, withRuntimeOptions, type RuntimeFlags } from '../runtime-options.js';
import { describeLink, tryDashboardLink } from './dashboard.js';
import { printFailures, printStackSummary } from './summary.js';

export function registerUp(program: Command): void {
  withRuntimeOptions(program
    .command('up')
    .description('validate the manifest, start the control plane if needed, and apply the stack')
    .argument('[path]', 'a tutti.yaml or the folder holding one'))
    .action(async (pathArg: string | undefined, o: RuntimeFlags, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const project = resolveProject({ path: pathArg, file: g.file });
      // the flag wins over the manifest's `runtime:`, which wins over the runtime the project used last
      const last = projectRuntime(project.stateDir);
      const spec = loadManifestFile(project.file ?? project.dir, process.env, { runtime: o.runtime, defaultRuntime: last?.runtime });
      checkRuntimeFlags(spec.runtime, o);
      if (!g.json) for (const w of spec.warnings ?? []) process.stderr.write(`${pc.yellow('warning:')} ${w}\n`);
      const { warnings: _w, ...stack } = spec;
      // a daemon started here drives this runtime; a running one keeps its own and refuses a different one
      const daemon = daemonArgs({ runtime: spec.runtime, context: o.context, namespace: o.namespace });
      const client = await connect(project, { start: 'always', url: g.url, token: g.token, daemonArgs: daemon });
      checkDaemonRuntime((await client.version()).runtime, o);
      const op = await client.apply(stack);
      if (!g.json) process.stdout.write(`${pc.bold(`Applying ${stack.name}`)} (${stack.order.length} services) from ${stack.file}\n`);
      const result = await followOperation(client, op, { order: stack.order, quiet: g.json });
      const status = await client.stack();
      // where to look next: the dashboard, logged in by a one-time link (skipped by a daemon without one)
      const link = await tryDashboardLink(project, g, client.url);
      if (g.json) {
        printJson({ ok: result.ok, operation: op.id, events: result.events, stack: status, ...(link && { dashboard: link.url }) });
      } else {
        process.stdout.write('\n');
        printStackSummary(status);
        if (result.ok) {
          process.stdout.write(`\n${pc.green('✔')} ${stack.name} is up. ${pc.dim('tutti ps · tutti logs -f · tutti down')}\n`);
        } else {
          printFailures(result.failures);
        }
        if (link) process.stdout.write(`\n${describeLink(link)}`);
      }
      if (!result.ok) process.exitCode = 1;
    });
}
