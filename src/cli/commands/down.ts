// `tutti down`: stop every service in reverse dependency order, then the daemon.

import type { Command } from 'commander';
import pc from 'picocolors';
import { connect, findDaemon, readDaemonInfo } from '../daemon-control.js';
import { followOperation } from '../follow.js';
import { printJson, type GlobalOptions } from '../output.js';
import { resolveProject } from '../project.js';
import { existsSync } from 'node:fs';
import path from 'node:path';

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('stop every service (dependents first), then the control plane')
    .argument('[path]', 'a tutti.yaml or the folder holding one')
    .action(async (pathArg: string | undefined, _o: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const project = resolveProject({ path: pathArg, file: g.file });
      const hasState = existsSync(path.join(project.stateDir, 'state.db'));
      if (!hasState && !(await findDaemon(project)) && !g.url) {
        if (g.json) printJson({ ok: true, stopped: [] });
        else process.stdout.write('nothing is running\n');
        return;
      }
      const client = await connect(project, { start: 'if-state', url: g.url, token: g.token });
      const status = await client.stack().catch(() => undefined);
      const order = status ? [...status.services.map((s) => s.name)].reverse() : [];
      const op = await client.down();
      const result = await followOperation(client, op, { order, quiet: g.json, doneLabel: 'stopped' });
      const info = readDaemonInfo(project.stateDir);
      if (!g.url) {
        await client.shutdown({ stopStack: false });
        if (info) await waitExit(info.pid, 15_000);
      }
      if (g.json) printJson({ ok: result.ok, events: result.events });
      else if (result.ok) process.stdout.write(`${pc.green('✔')} ${status?.name ?? 'stack'} is down\n`);
      if (!result.ok) process.exitCode = 1;
    });
}

async function waitExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try { process.kill(pid, 0); } catch { return; }
    await new Promise((r) => setTimeout(r, 25));
  }
}
