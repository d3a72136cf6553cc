// Server-sent event streams of the API (EventSource sends the session cookie). EventSource
// reconnects by itself after a dropped connection; when the server refuses the stream outright
// (a 401 after the session ended, a 404) it gives up, so we ask who we are: a lost session
// shows the login form, anything else is retried after a pause.

import { ApiError, get, notifyUnauthorised } from './http';

/** `receivedAt`: performance.now() before the data was parsed (for timing updates) */
export type Handlers = Record<string, (data: unknown, raw: MessageEvent<string>, receivedAt: number) => void>;

export interface StreamOptions {
  onOpen?: () => void;
  /** the stream is down (reconnecting, or given up when `final`) */
  onDown?: (final: boolean) => void;
  /** parse `data` as JSON before calling the handler (default true) */
  json?: boolean;
  /** retry after a refused stream; default true */
  retry?: boolean;
}

/** Opens `path` as an event stream and calls the handler of each event type; returns the close. */
export function openStream(path: string, handlers: Handlers, opts: StreamOptions = {}): () => void {
  let source: EventSource | undefined;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pause = 500;

  const connect = () => {
    if (closed) return;
    const es = new EventSource(path, { withCredentials: true });
    source = es;
    es.onopen = () => {
      pause = 500;
      opts.onOpen?.();
    };
    for (const [event, handler] of Object.entries(handlers)) {
      es.addEventListener(event, (e) => {
        const receivedAt = performance.now();
        const m = e as MessageEvent<string>;
        let data: unknown = m.data;
        if (opts.json !== false) {
          try {
            data = JSON.parse(m.data);
          } catch {
            return;
          }
        }
        handler(data, m, receivedAt);
      });
    }
    es.onerror = () => {
      if (closed) return;
      if (es.readyState !== EventSource.CLOSED) {
        opts.onDown?.(false);
        return;
      }
      // refused: find out whether the session is still there
      es.close();
      void get('/api/v1/dashboard/session').then(
        () => schedule(),
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 401) {
            notifyUnauthorised();
            opts.onDown?.(true);
          } else schedule();
        },
      );
    };
  };
  const schedule = () => {
    if (closed || opts.retry === false) return opts.onDown?.(true);
    opts.onDown?.(false);
    timer = setTimeout(connect, pause);
    pause = Math.min(pause * 2, 10_000);
  };
  connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    source?.close();
  };
}
