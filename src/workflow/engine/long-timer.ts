// setTimeout for any delay. Node.js holds at most 2^31−1 ms (about 24.8 days) in a timer and
// turns a longer delay into 1 ms, so a `wait: P30D` or `schedule.every: P30D` would fire at
// once (and an interval every millisecond). This waits in chunks, re-arming until the deadline.

const MAX_DELAY_MS = 2 ** 31 - 1;

/** Calls `fn` once `ms` have passed; returns the cancel function. */
export function longTimeout(fn: () => void, ms: number, opts: { unref?: boolean } = {}): () => void {
  const deadline = Date.now() + Math.max(0, ms);
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const arm = (left: number) => {
    timer = setTimeout(() => {
      if (cancelled) return;
      const rest = deadline - Date.now();
      if (left > MAX_DELAY_MS && rest > 0) arm(rest);
      else fn();
    }, Math.min(left, MAX_DELAY_MS));
    if (opts.unref) timer.unref();
  };
  arm(Math.max(0, ms));
  return () => {
    cancelled = true;
    clearTimeout(timer);
  };
}

/** Calls `fn` every `ms` (any length); returns the cancel function. */
export function longInterval(fn: () => void, ms: number, opts: { unref?: boolean } = {}): () => void {
  let cancel = () => {};
  let stopped = false;
  const next = () => {
    cancel = longTimeout(() => {
      if (stopped) return;
      next();
      fn();
    }, ms, opts);
  };
  next();
  return () => {
    stopped = true;
    cancel();
  };
}
