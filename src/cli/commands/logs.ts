// `tutti logs [service…] [-f] [--since 10m] [--until 5m] [--grep text|/re/] [--level warn]
// [--tail N] [--timestamps]`: merged, each line prefixed by its instance as docker compose
// does, following new lines live with -f. The daemon filters; this only prints. A JSON line
// whose level or message was parsed is shown as `LEVEL message {other fields}`.

import { Option, type Command } from 'commander';
import pc from 'picocolors';
import { parseDuration, TuttiError, type LogLevel } from '../../core/index.js';
import type { LogLine, LogsQuery } from '../../client/index.js';
import { LOG_LEVELS } from '../../runtime/log-query.js';
import { connect } from '../daemon-control.js';
import { colourFor, type GlobalOptions } from '../output.js';
import { resolveProject } from '../project.js';

interface LogsOptions {
  follow?: boolean;
  since?: string;
  until?: string;
  grep?: string;
  level?: LogLevel;
  tail?: string;
  timestamps?: boolean;
  instance?: string[];
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description('show the logs of services, merged in time order')
    .argument('[service...]', 'only these services (all when none)')
    .option('-f, --follow', 'follow new lines')
    .option('--since <time>', 'only lines newer than a duration (10m) or an ISO time')
    .option('--until <time>', 'only lines older than a duration (10m) or an ISO time')
    .option('--grep <pattern>', 'only lines containing this text, or matching /regex/flags (for JSON lines, the message may match)')
    .addOption(new Option('--level <level>', 'only JSON lines (pino, bunyan, winston) of this level or above').choices(LOG_LEVELS))
    .option('-n, --tail <n>', 'only the last N lines (per request, over the merged stream)')
    .option('-t, --timestamps', 'show when each line was written')
    .option('--instance <id...>', 'only these instances')
    .action(async (services: string[], o: LogsOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const project = resolveProject({ file: g.file });
      const query: LogsQuery = {
        services: services.length ? services : undefined,
        instances: o.instance,
        since: o.since === undefined ? undefined : timeOf('--since', o.since),
        until: o.until === undefined ? undefined : timeOf('--until', o.until),
        grep: o.grep,
        level: o.level,
        tail: o.tail === undefined ? undefined : tailOf(o.tail),
      };
      const client = await connect(project, { start: 'if-state', url: g.url, token: g.token });
      const width = { n: 0 };
      const print = (l: LogLine) => {
        if (g.json) return void process.stdout.write(JSON.stringify(l) + '\n');
        width.n = Math.max(width.n, l.instance.length);
        const prefix = colourFor(l.instance)(`${l.instance.padEnd(width.n)} |`);
        const time = o.timestamps ? pc.dim(new Date(l.time).toISOString()) + ' ' : '';
        process.stdout.write(`${prefix} ${time}${lineText(l, process.stdout.isTTY === true)}\n`);
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

const LEVEL_COLOURS: Record<LogLevel, (s: string) => string> = {
  trace: pc.gray,
  debug: pc.blue,
  info: pc.green,
  warn: pc.yellow,
  error: pc.red,
  fatal: (s) => pc.bgRed(pc.white(s)),
};

// keys every pino/bunyan/winston line carries, which would only repeat what the prefix shows
const COMMON_KEYS = new Set(['level', 'msg', 'message', 'time', 'timestamp', 'pid', 'hostname', 'v']);

/** What a line shows after its prefix: its level and message when parsed, else its text. */
export function lineText(l: LogLine, tty: boolean): string {
  if (l.level === undefined && l.message === undefined) return l.stream === 'stderr' && tty ? pc.red(l.text) : l.text;
  const level = l.level === undefined ? '' : LEVEL_COLOURS[l.level](l.level.toUpperCase().padEnd(5)) + ' ';
  const rest = otherFields(l.text);
  return `${level}${l.message ?? ''}${rest ? ' ' + pc.dim(rest) : ''}`;
}

/** The fields of a JSON line beyond level, message and the usual ones, as compact JSON. */
function otherFields(text: string): string {
  try {
    const record = JSON.parse(text) as Record<string, unknown>;
    const rest = Object.fromEntries(Object.entries(record).filter(([k]) => !COMMON_KEYS.has(k)));
    return Object.keys(rest).length > 0 ? JSON.stringify(rest) : '';
  } catch {
    return '';
  }
}

function timeOf(flag: string, text: string): number {
  const d = parseDuration(text);
  if (d !== undefined) return Date.now() - d;
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `${flag} ${text} is neither a duration nor a time`, { hint: 'use 10m, 2h, or 2026-01-31T12:00:00Z' });
  }
  return t;
}

function tailOf(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new TuttiError('TUTTI_E_BAD_REQUEST', `--tail ${text} is not a whole number`, { hint: 'use --tail 100' });
  return n;
}
