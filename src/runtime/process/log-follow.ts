// `logs` of the process driver: the stored history (from the log files), then, with follow,
// the live lines as instances write them, until the caller's signal aborts (or the query's
// `until` is reached). The live feed is subscribed to before the files are read so no line
// falls between the two; lines that show up in both are passed on once. Both go through the
// query's filters here, in the runtime.

import type { LogLine } from '../../core/index.js';
import type { LogQuery } from '../contract.js';
import { AsyncQueue } from '../async-queue.js';
import { compileLineFilter, filterLine, type LineFilter } from '../log-filter.js';
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
  let filter: LineFilter;
  try {
    filter = compileLineFilter(query);
  } catch (err) {
    out.end(err);
    return out;
  }
  // nothing new can be wanted once `until` has passed
  const follow = query.follow === true && (query.untilMs === undefined || query.untilMs >= Date.now());
  const pending: LogLine[] = [];
  let live = false;
  let unsubscribe = (): void => {};
  let untilTimer: NodeJS.Timeout | undefined;
  if (follow) {
    unsubscribe = opts.subscribe(
      (raw) => {
        if (!matchesQuery(query, raw.service, raw.instance)) return;
        const line = filterLine(filter, raw);
        if (!line) return;
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
    clearTimeout(untilTimer);
    signal.removeEventListener('abort', onAbort);
  });

  void (async () => {
    await opts.flushed();
    const history = await readLogHistory(opts.logsDir, query);
    if (out.isEnded) return;
    for (const line of history) out.push(line);
    if (!follow) return out.end();
    const inHistory = new Map<string, number>();
    for (const line of history) inHistory.set(lineKey(line), (inHistory.get(lineKey(line)) ?? 0) + 1);
    for (const line of pending.splice(0)) {
      const left = inHistory.get(lineKey(line)) ?? 0;
      if (left > 0) inHistory.set(lineKey(line), left - 1);
      else out.push(line);
    }
    live = true;
    if (query.untilMs !== undefined) {
      // a timer waits about 24.8 days at most; an `until` further away never ends the follow
      const left = query.untilMs - Date.now();
      if (left < 2 ** 31 - 2) untilTimer = setTimeout(() => out.end(), Math.max(0, left) + 1).unref();
    }
  })().catch((err: unknown) => out.end(err));
  return out;
}

function lineKey(line: LogLine): string {
  return `${line.time}\u0000${line.instance}\u0000${line.stream}\u0000${line.text}`;
}
