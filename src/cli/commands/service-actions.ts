// `tutti restart|stop|start SERVICE…` and `tutti scale SERVICE=N…`: each runs as an operation
// on the control plane, followed with live progress; non-zero exit when one fails.

import type { Command } from 'commander';
import pc from 'picocolors';
import { TuttiError } from '../../core/index.js';
import type { OperationInfo, TuttiClient } from '../../client/index.js';
import { connect } from '../daemon-control.js';
import { followOperation } from '../follow.js';
import { printJson, type GlobalOptions } from '../output.js';
import { resolveProject } from '../project.js';
import { printFailures } from './summary.js';

type Action = (client: TuttiClient, arg: string) => Promise<{ service: string; op: OperationInfo }>;

const ACTIONS: Record<string, { description: string; arg: string; run: Action; doneLabel?: string }> = {
  restart: {
    description: 'replace every instance of the services, one at a time, without downtime',
    arg: 'service...',
    run: async (c, s) => ({ service: s, op: await c.restart(s) }),
  },
  stop: {
    description: 'stop the services (stop signal, grace period, then SIGKILL of the process group)',
    arg: 'service...',
    run: async (c, s) => ({ service: s, op: await c.stop(s) }),
    doneLabel: 'stopped',
  },
  start: {
    description: 'start stopped services again',
    arg: 'service...',
    run: async (c, s) => ({ service: s, op: await c.start(s) }),
  },
  scale: {
    description: 'set the number of instances, e.g. tutti scale orders=3',
    arg: 'service=replicas...',
    run: async (c, a) => {
      const m = /^([^=]+)=(\d+)$/.exec(a);
      if (!m) throw new TuttiError('TUTTI_E_BAD_REQUEST', `"${a}" is not SERVICE=N`, { hint: 'e.g. tutti scale orders=3' });
      return { service: m[1], op: await c.scale(m[1], Number(m[2])) };
    },
  },
};

export function registerServiceActions(program: Command): void {
  for (const [name, action] of Object.entries(ACTIONS)) {
    program
      .command(name)
      .description(action.description)
      .argument(`<${action.arg}>`)
      .action(async (args: string[], _o: unknown, cmd: Command) => {
        const g = cmd.optsWithGlobals<GlobalOptions>();
        const project = resolveProject({ file: g.file });
        const client = await connect(project, { start: 'if-state', url: g.url, token: g.token });
        const results = [];
        let ok = true;
        for (const arg of args) {
          const { service, op } = await action.run(client, arg);
          const r = await followOperation(client, op, { order: [service], quiet: g.json, doneLabel: action.doneLabel });
          results.push({ service, ok: r.ok, events: r.events });
          if (!r.ok) { ok = false; if (!g.json) printFailures(r.failures); }
        }
        if (g.json) printJson(results);
        else if (ok) process.stdout.write(`${pc.green('✔')} ${name} ${args.join(' ')}: done\n`);
        if (!ok) process.exitCode = 1;
      });
  }
}
