// Reading one API resource in a page: fetched when the page (or its key) changes, optionally
// refreshed every `everyMs`, with the last good answer kept while a refresh runs (no flicker,
// no layout jump) and the error of the last attempt.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, type Query } from '../api/http';

export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

export function useApi<T>(path: string | undefined, query?: Query, opts: { everyMs?: number } = {}): ApiState<T> {
  const key = path === undefined ? '' : `${path}?${JSON.stringify(query ?? {})}`;
  const [state, setState] = useState<{ key: string; data?: T; error?: ApiError; loading: boolean }>({ key, loading: path !== undefined });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const latest = useRef(key);
  latest.current = key;

  useEffect(() => {
    if (path === undefined) return;
    const abort = new AbortController();
    setState((s) => (s.key === key ? { ...s, loading: true } : { key, loading: true }));
    get<T>(path, query, abort.signal).then(
      (data) => latest.current === key && setState({ key, data, loading: false }),
      (error: unknown) => {
        if ((error as Error).name === 'AbortError' || latest.current !== key) return;
        const e = error instanceof ApiError ? error : new ApiError(0, 'TUTTI_E_INTERNAL', String(error));
        setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: e, loading: false }));
      },
    );
    return () => abort.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tick]);

  useEffect(() => {
    if (!opts.everyMs || path === undefined) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, opts.everyMs);
    return () => clearInterval(timer);
  }, [key, opts.everyMs]);

  const current = state.key === key ? state : { data: undefined, error: undefined, loading: path !== undefined };
  return { data: current.data, error: current.error, loading: current.loading, reload };
}
