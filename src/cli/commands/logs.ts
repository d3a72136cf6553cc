// `tutti logs [service…] [-f] [--since 10m] [--tail N] [--timestamps]`: merged, each line
// prefixed by its instance as docker compose does, following new lines live with -f.

import type { Command } from 'commander';
import pc from 'picocolors';
import { parseDuration, TuttiError } from '../../core/index.js';
import type { LogLine } from '../../client/index.js';
import { connect } from '../daemon-control.js';
import { colourFor, type GlobalOptions } from '../output.js';
import { resolveProject } from '../project.js';

interface LogsOptions { follow?: boolean; since?: string; tail?: string; timestamps?: boolean; instance?: string[] }

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description('show the logs of services, merged in time order')
    .argument('[service...]', 'only these services (all when none)')
    .option('-f, --follow', 'follow new lines')
    .option('--since <time>', 'only lines newer than a duration (10m) or an ISO time')
    .option('-n, --tail <n>', 'only the last N lines (per request, over the merged stream)')
    .option('-t, --timestamps', 'show when each line was written')
    .option('--instance <id...>', 'only these instances')
    .action(async (services: string[], o: LogsOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const project = resolveProject({ file: g.file });
      const client = await connect(project, { start: 'if-state', url: g.url, token: g.token });
      const query = {
        services: services.length ? services : undefined,
        instances: o.instance,
        since: o.since === undefined ? undefined : sinceMs(o.since),
        tail: o.tail === undefined ? undefined : tailOf(o.tail),
      };
      const width = { n: 0 };
      const print = (l: LogLine) => {
        if (g.json) return void process.stdout.write(JSON.stringify(l) + '\n');
        width.n = Math.max(width.n, l.instance.length);
        const prefix = colourFor(l.instance)(`${l.instance.padEnd(width.n)} |`);
        const time = o.timestamps ? pc.dim(new Date(l.time).toISOString()) + ' ' : '';
        const text = l.stream === 'stderr' && process.stdout.isTTY ? pc.red(l.text) : l.text;
        process.stdout.write(`${prefix} ${time}${text}\n`);
      };
      if (!o.follow) {
        const lines = await client.logs(query);
        width.n = Math.max(0, ...lines.map((l) => l.instance.length));
        for (const l of lines) print(l);
        return;
      }
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        for await (const l of client.followLogs(query, abort.signal)) print(l);
      } catch (err) {
        if (!abort.signal.aborted) throw err;
      }
    });
}

function sinceMs(text: string): number {
  const d = parseDuration(text);
  if (d !== undefined) return Date.now() - d;
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `--since ${text} is neither a duration nor a time`, { hint: 'use 10m, 2h, or 2026-01-31T12:00:00Z' });
  }
  return t;
}

function tailOf(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new TuttiError('TUTTI_E_BAD_REQUEST', `--tail ${text} is not a whole number`, { hint: 'use --tail 100' });
  return n;
}
