// Human and machine output: aligned tables, colours only on a terminal, `--json`, and errors
// as one clear sentence plus a hint — never a stack trace unless `--debug`.

import type { Command } from 'commander';
import pc from 'picocolors';
import { isTuttiError } from '../core/index.js';

export interface GlobalOptions {
  file?: string;
  json?: boolean;
  debug?: boolean;
  url?: string;
  token?: string;
}

/**
 * Every command also takes the global options after its name (`tutti ps --json`), as docker
 * compose does. `logs` keeps `-f` for --follow, so there the manifest is `--file` only.
 */
export function addCommonOptions(program: Command): void {
  const visit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      if (sub.commands.length > 0) { visit(sub); continue; }
      const taken = new Set(sub.options.map((o) => o.short));
      sub.option(taken.has('-f') ? '--file <path>' : '-f, --file <path>', 'the manifest (default: tutti.yaml in this folder or above)');
      sub.option('--json', 'machine-readable output');
      sub.option('--debug', 'show stack traces');
      sub.option('--url <url>', "talk to this control plane instead of the project's daemon (env TUTTI_URL)");
      sub.option('--token <token>', 'bearer token for --url (env TUTTI_TOKEN)');
    }
  };
  visit(program);
}

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - visible(c)))).join('   ').trimEnd();
  return [pc.bold(line(headers)), ...rows.map(line)].join('\n');
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
function visible(s: string): number {
  return s.replace(ANSI, '').length;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printError(err: unknown, debug = false): void {
  if (isTuttiError(err)) {
    process.stderr.write(`${pc.red('error:')} ${err.message}\n`);
    const details = err.details as { errors?: Array<{ message: string }> } | undefined;
    const more = details?.errors?.slice(1) ?? [];
    for (const e of more) process.stderr.write(`       ${e.message}\n`);
    if (err.hint) process.stderr.write(`${pc.dim('hint:')} ${err.hint}\n`);
    if (debug && err.stack) process.stderr.write(pc.dim(err.stack) + '\n');
    return;
  }
  const e = err as Error;
  process.stderr.write(`${pc.red('error:')} ${e?.message ?? String(err)}\n`);
  if (debug && e?.stack) process.stderr.write(pc.dim(e.stack) + '\n');
  else process.stderr.write(`${pc.dim('hint:')} run again with --debug for details\n`);
}

export function colourState(state: string): string {
  switch (state) {
    case 'running': case 'completed': case 'passing': case 'ready': case 'done': return pc.green(state);
    case 'starting': case 'waiting': case 'stopping': case 'degraded': case 'pending': case 'unknown': case 'backoff': return pc.yellow(state);
    case 'failed': case 'crash-looping': case 'unhealthy': case 'failing': case 'firing': return pc.red(state);
    default: return state;
  }
}

export function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

export function bytes(n: number | undefined): string {
  if (n === undefined) return '-';
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)}KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)}MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)}GiB`;
}

/** A stable colour per name, as docker compose colours its log prefixes. */
export function colourFor(name: string): (s: string) => string {
  const palette = [pc.cyan, pc.yellow, pc.green, pc.magenta, pc.blue, pc.red];
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return palette[h % palette.length];
}
