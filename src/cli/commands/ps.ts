// `tutti ps`: every instance with its pid, port, state, health, restarts, uptime, CPU and
// memory, under a header with the stack-health score.

import type { Command } from 'commander';
import pc from 'picocolors';
import { formatDuration, TuttiError } from '../../core/index.js';
import { connect } from '../daemon-control.js';
import { bytes, colourState, printJson, table, type GlobalOptions } from '../output.js';
import { resolveProject } from '../project.js';
import { healthText } from './summary.js';

export function registerPs(program: Command): void {
  program
    .command('ps')
    .description('list the instances of every service')
    .argument('[service...]', 'only these services')
    .action(async (services: string[], _o: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const project = resolveProject({ file: g.file });
      const client = await connect(project, { start: 'if-state', url: g.url, token: g.token });
      const status = await client.stack({ stats: true });
      const unknown = services.filter((s) => !status.services.some((x) => x.name === s));
      if (unknown.length > 0) {
        throw new TuttiError('TUTTI_E_UNKNOWN_SERVICE', `no service named ${unknown.join(', ')} in stack ${status.name}`, {
          hint: `services: ${status.services.map((x) => x.name).join(', ')}`,
        });
      }
      const instances = status.instances.filter((i) => services.length === 0 || services.includes(i.service));
      if (g.json) return printJson({ ...status, instances });
      const ready = status.services.filter((s) => s.state === 'running' || s.state === 'completed').length;
      process.stdout.write(
        `${pc.bold(status.name)} · stack health ${healthText(status.health)} · ${ready}/${status.services.length} services ready\n`,
      );
      const now = Date.now();
      const rows = instances.map((i) => [
        i.service,
        i.id,
        i.pid ? String(i.pid) : '-',
        i.port ? String(i.port) : '-',
        colourState(i.state),
        colourState(i.health === 'none' ? '-' : i.health),
        String(i.restarts),
        i.startedAt && i.pid ? formatDuration(now - i.startedAt) : '-',
        i.cpu === undefined ? '-' : `${i.cpu.toFixed(1)}%`,
        bytes(i.memory),
      ]);
      process.stdout.write(table(['SERVICE', 'INSTANCE', 'PID', 'PORT', 'STATE', 'HEALTH', 'RESTARTS', 'UPTIME', 'CPU', 'MEM'], rows) + '\n');
      const notes = instances.filter((i) => i.message && !i.ready);
      for (const i of notes) process.stdout.write(`${pc.dim(`${i.id}:`)} ${i.message}\n`);
      // why the last restart happened, where the runtime knows more than an exit code (memory limit, OOMKilled)
      for (const i of instances.filter((x) => x.restarts > 0 && x.lastExit?.reason && !notes.includes(x))) {
        process.stdout.write(`${pc.dim(`${i.id}:`)} last exit: ${i.lastExit!.reason}\n`);
      }
    });
}
