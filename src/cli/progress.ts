// Live progress of an operation, one line per service: redrawn in place on a terminal
// (waiting → starting → healthy), one line per change otherwise (CI logs, pipes).

import pc from 'picocolors';
import type { OperationEvent } from '../client/index.js';

interface Line {
  service: string;
  phase: string;
  text: string;
  ready: number;
}

const SYMBOL: Record<string, string> = {
  waiting: pc.dim('…'), starting: pc.yellow('▸'), ready: pc.yellow('▸'), stopping: pc.yellow('▸'),
  done: pc.green('✔'), unchanged: pc.green('✔'), failed: pc.red('✖'), removed: pc.dim('✔'),
};

export class ProgressView {
  private lines = new Map<string, Line>();
  private drawn = 0;
  private readonly live: boolean;
  private pending: NodeJS.Timeout | undefined;

  /** doneLabel: what a finished service is called, `ready` after up/start/restart, `stopped` after stop */
  constructor(order: string[], private readonly doneLabel = 'ready', private readonly out: NodeJS.WriteStream = process.stdout) {
    this.live = Boolean(out.isTTY) && !process.env.CI;
    for (const s of order) this.lines.set(s, { service: s, phase: 'waiting', text: '', ready: 0 });
  }

  update(e: OperationEvent): void {
    if (!e.service) return;
    const line = this.lines.get(e.service) ?? { service: e.service, phase: 'waiting', text: '', ready: 0 };
    this.lines.set(e.service, line);
    line.phase = e.phase;
    line.text = describe(e, line);
    if (!this.live) {
      this.out.write(`${e.service.padEnd(this.width())}  ${label(e.phase, this.doneLabel)}  ${line.text}\n`);
      return;
    }
    this.pending ??= setTimeout(() => { this.pending = undefined; this.draw(); }, 40);
  }

  finish(): void {
    if (this.pending) { clearTimeout(this.pending); this.pending = undefined; }
    if (this.live) this.draw();
  }

  private width(): number {
    return Math.max(8, ...[...this.lines.keys()].map((s) => s.length));
  }

  private draw(): void {
    const w = this.width();
    let text = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const l of this.lines.values()) {
      text += `\x1b[2K ${SYMBOL[l.phase] ?? ' '} ${l.service.padEnd(w)}  ${label(l.phase, this.doneLabel)}  ${l.text}\n`;
    }
    this.drawn = this.lines.size;
    this.out.write(text);
  }
}

function label(phase: string, doneLabel: string): string {
  const name = phase === 'done' ? doneLabel : phase === 'ready' ? 'healthy' : phase;
  const padded = name.padEnd(9);
  if (phase === 'failed') return pc.red(padded);
  if (phase === 'done' || phase === 'unchanged') return pc.green(padded);
  if (phase === 'waiting' || phase === 'removed') return pc.dim(padded);
  return pc.yellow(padded);
}

function describe(e: OperationEvent, line: Line): string {
  switch (e.phase) {
    case 'waiting': return e.message?.replace(/^waiting for /, 'for ') ?? '';
    case 'starting': return e.instance ? `${e.instance}${e.message ? ` (${e.message})` : ''}` : e.message ?? '';
    case 'ready': line.ready += 1; return e.instance ? `${e.instance} is healthy` : '';
    case 'stopping': return e.instance ? `stopping ${e.instance}` : e.message ?? '';
    case 'failed': return e.message ?? '';
    case 'done': return line.ready > 0 ? `${line.ready} new instance${line.ready === 1 ? '' : 's'} ready` : '';
    case 'unchanged': return 'nothing to change';
    default: return e.message ?? '';
  }
}
