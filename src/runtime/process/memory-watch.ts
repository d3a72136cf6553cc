// The runtime's one memory sampler: every intervalMs it measures the process groups of the
// running instances that have a memory limit and hands those over it to `exceeded`. The timer
// runs only while some instance has a limit, running or not (sync() arms and disarms it),
// never takes two samples at once, and keeps no process alive.

import type { Logger } from 'pino';
import { overMemoryLimit, type MemoryExcess, type WatchedInstance } from './memory-limit.js';

export interface MemoryWatchOptions {
  intervalMs: number;
  /** whether any instance has a limit (running, or down between two runs) */
  active(): boolean;
  /** the running instances with a limit, read at every sample */
  watched(): WatchedInstance[];
  /** resident memory in bytes by process group */
  measure(pgids: number[]): Promise<ReadonlyMap<number, number>>;
  exceeded(excess: MemoryExcess): void;
  logger?: Logger;
}

export class MemoryWatch {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: MemoryWatchOptions) {}

  get armed(): boolean {
    return this.timer !== undefined;
  }

  /** Arms the timer when an instance has a limit, disarms it when none has; call after instances change. */
  sync(): void {
    const wanted = !this.stopped && this.opts.active();
    if (wanted && !this.timer) {
      this.timer = setInterval(() => void this.sample(), this.opts.intervalMs);
      this.timer.unref();
    } else if (!wanted && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Takes one sample (a no-op while the previous one runs); resolves when it is handled. */
  sample(): Promise<void> {
    this.running ??= this.sampleOnce()
      .catch((err: unknown) => this.opts.logger?.warn({ err }, 'memory sample failed'))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async sampleOnce(): Promise<void> {
    const watched = this.opts.watched();
    if (watched.length === 0 || this.stopped) return;
    const rss = await this.opts.measure(watched.map((w) => w.pgid));
    if (this.stopped) return;
    for (const excess of overMemoryLimit(watched, rss)) this.opts.exceeded(excess);
  }
}
