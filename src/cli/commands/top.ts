// `tutti top`: a live view per service and instance (ready, CPU, memory, req/s, p99 latency,
// error ratio, restarts), redrawn in place on a terminal like `docker stats`, repeated as plain
// snapshots otherwise; `--once` prints one and exits. The figures come from one API call
// (`GET /api/v1/top`), computed by the control plane over the last window of its series store.

import type { Command } from 'commander';
import pc from 'picocolors';
import { parseDuration, TuttiError } from '../../core/index.js';
import type { TuttiClient } from '../../client/index.js';
import { connect } from '../daemon-control.js';
import { bytes, colourState, table, type GlobalOptions } from '../output.js';
import { resolveProject } from '../project.js';
import { healthText } from './summary.js';

export type TopView = Awaited<ReturnType<TuttiClient['top']>>;
type Figures = Pick<TopView['services'][number], 'cpuPercent' | 'memoryBytes' | 'requestsPerSecond' | 'p99Seconds' | 'errorRatio' | 'restarts'>;

interface TopOptions {
  once?: boolean;
  interval: string;
  window?: string;
}

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const HOME_AND_CLEAR = '\x1b[H\x1b[2J';

export function registerTop(program: Command): void {
  program
    .command('top')
    .description('live CPU, memory, requests, latency and errors per service and instance')
    .argument('[service...]', 'only these services')
    .option('--once', 'print one snapshot and exit')
    .option('--interval <duration>', 'time between refreshes', '2s')
    .option('--window <duration>', 'rates and p99 over this much of the past (default 30s)')
    .action(async (services: string[], o: TopOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const intervalMs = parseDuration(o.interval);
      if (intervalMs === undefined || intervalMs < 100) {
        throw new TuttiError('TUTTI_E_BAD_REQUEST', `--interval ${o.interval} is not a duration of 100ms or more`, { hint: 'use e.g. --interval 2s' });
      }
      const project = resolveProject({ file: g.file });
      const client = await connect(project, { start: 'if-state', url: g.url, token: g.token });
      const fetchView = () => client.top({ services, ...(o.window !== undefined && { window: o.window }) });

      if (o.once) {
        const view = await fetchView();
        process.stdout.write(g.json ? JSON.stringify(view, null, 2) + '\n' : renderTop(view) + '\n');
        return;
      }
      await live(fetchView, { intervalMs, json: g.json === true, tty: process.stdout.isTTY === true });
    });
}

/** Redraws until Ctrl-C (or SIGTERM); the first failure ends it with that error. */
async function live(fetchView: () => Promise<TopView>, o: { intervalMs: number; json: boolean; tty: boolean }): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const inPlace = o.tty && !o.json;
  if (inPlace) process.stdout.write(HIDE_CURSOR);
  try {
    let first = true;
    while (!stop.signal.aborted) {
      const view = await fetchView();
      if (stop.signal.aborted) break;
      if (o.json) process.stdout.write(JSON.stringify(view) + '\n');
      else if (inPlace) process.stdout.write(HOME_AND_CLEAR + renderTop(view) + '\n');
      else process.stdout.write((first ? '' : '\n') + renderTop(view) + '\n');
      first = false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, o.intervalMs);
        stop.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (inPlace) process.stdout.write(SHOW_CURSOR);
  }
}

/** One snapshot as a header line and a table: a row per service, its instances indented under it. */
export function renderTop(view: TopView): string {
  const ready = view.services.filter((s) => s.desired > 0 && s.ready >= s.desired).length;
  const at = new Date(view.time).toLocaleTimeString();
  const header =
    `${pc.bold(view.stack)} · stack health ${healthText(view.health)} · ${ready}/${view.services.length} services ready` +
    pc.dim(` · over the last ${Math.round(view.windowMs / 1000)}s · ${at}`);
  const rows: string[][] = [];
  for (const s of view.services) {
    const readyText = `${s.ready}/${s.desired}`;
    rows.push([pc.bold(s.service), s.ready < s.desired ? pc.yellow(readyText) : readyText, '', ...figureCells(s)]);
    for (const i of s.instances) rows.push([`  ${i.instance}`, i.ready ? 'yes' : pc.yellow('no'), colourState(i.state), ...figureCells(i)]);
  }
  return header + '\n' + table(['SERVICE/INSTANCE', 'READY', 'STATE', 'CPU', 'MEM', 'REQ/S', 'P99', 'ERRORS', 'RESTARTS'], rows);
}

function figureCells(f: Figures): string[] {
  return [
    f.cpuPercent === null ? '-' : `${f.cpuPercent.toFixed(1)}%`,
    f.memoryBytes === null ? '-' : bytes(f.memoryBytes),
    f.requestsPerSecond === null ? '-' : rate(f.requestsPerSecond),
    f.p99Seconds === null ? '-' : latency(f.p99Seconds),
    f.errorRatio === null ? '-' : errorText(f.errorRatio),
    String(f.restarts),
  ];
}

function rate(perSecond: number): string {
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}

export function latency(seconds: number): string {
  if (seconds < 0.001) return `${(seconds * 1e6).toFixed(0)}µs`;
  if (seconds < 1) return `${(seconds * 1000).toFixed(seconds < 0.01 ? 1 : 0)}ms`;
  return `${seconds.toFixed(2)}s`;
}

function errorText(ratio: number): string {
  const text = `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.01 ? 2 : 1)}%`;
  return ratio >= 0.05 ? pc.red(text) : ratio > 0 ? pc.yellow(text) : text;
}
