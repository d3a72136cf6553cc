// A pause between reconnection attempts of the client's SSE watches, cut short by their signal.

/** Waits `ms` unless the signal aborts first; resolves false when it did. With `unref`, the
 *  pause alone does not keep the process alive (a background watch); without, it does (a
 *  command waiting for its answer). */
export function pause(ms: number, signal?: AbortSignal, opts: { unref?: boolean } = {}): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    if (opts.unref) timer.unref?.();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
