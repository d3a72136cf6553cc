// `logs` of the process driver: the stored history (from the log files), then, with follow,
// the live lines as instances write them, until the caller's signal aborts. The live feed is
// subscribed to before the files are read so no line falls between the two; lines that show up
// in both are passed on once.

import type { LogLine } from '../../core/index.js';
import type { LogQuery } from '../contract.js';
import { AsyncQueue } from './async-queue.js';
import { matchesQuery, readLogHistory } from './log-reader.js';

export interface FollowOptions {
  logsDir: string;
  query: LogQuery;
  signal: AbortSignal;
  /** resolves once every line captured so far is in the files */
  flushed(): Promise<void>;
  /** live lines of every instance; onClose is called when the runtime goes away */
  subscribe(fn: (line: LogLine) => void, onClose: () => void): () => void;
}

export function followLogs(opts: FollowOptions): AsyncIterable<LogLine> {
  const { query, signal } = opts;
  const out = new AsyncQueue<LogLine>();
  if (signal.aborted) {
    out.end();
    return out;
  }
  const pending: LogLine[] = [];
  let live = false;
  let unsubscribe = (): void => {};
  if (query.follow) {
    unsubscribe = opts.subscribe(
      (line) => {
        if (!matchesQuery(query, line.service, line.instance)) return;
        if (query.sinceMs !== undefined && line.time < query.sinceMs) return;
        if (live) out.push(line);
        else pending.push(line);
      },
      () => out.end(),
    );
  }
  const onAbort = (): void => out.end();
  signal.addEventListener('abort', onAbort, { once: true });
  out.finally(() => {
    unsubscribe();
    signal.removeEventListener('abort', onAbort);
  });

  void (async () => {
    await opts.flushed();
    const history = await readLogHistory(opts.logsDir, query);
    if (out.isEnded) return;
    for (const line of history) out.push(line);
    if (!query.follow) return out.end();
    const inHistory = new Map<string, number>();
    for (const line of history) inHistory.set(lineKey(line), (inHistory.get(lineKey(line)) ?? 0) + 1);
    for (const line of pending.splice(0)) {
      const left = inHistory.get(lineKey(line)) ?? 0;
      if (left > 0) inHistory.set(lineKey(line), left - 1);
      else out.push(line);
    }
    live = true;
  })().catch((err: unknown) => out.end(err));
  return out;
}

function lineKey(line: LogLine): string {
  return `${line.time}\u0000${line.instance}\u0000${line.stream}\u0000${line.text}`;
}
