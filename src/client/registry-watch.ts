// A registry watch that survives dropped connections: it follows `GET /registry/watch` and,
// when the stream ends or the daemon cannot be reached, reconnects with `Last-Event-ID` set to
// the last index it handed out, so the server replays exactly what was missed. Changes at or
// below that index are dropped, so a consumer sees each change once, in index order, across
// reconnects. Errors the server states (unknown service, bad token) end the watch instead.

import { TuttiError } from '../core/index.js';
import type { RegistryEvent, RegistryInstance, RegistryWatchEvent, RegistryWatchOptions } from './api-types.js';
import type { Transport } from './http.js';
import { readServerSentEvents } from './sse-reader.js';
import { pause } from './pause.js';

const WATCH_PATH = '/api/v1/registry/watch';
const DEFAULT_RETRY_MS = 100;
const DEFAULT_MAX_RETRY_MS = 5_000;

/** Worth another attempt: the daemon went away or is restarting, not a refusal of the request. */
function retriable(err: unknown): boolean {
  return !(err instanceof TuttiError) || err.code === 'TUTTI_E_DAEMON_UNREACHABLE' || err.status >= 500;
}

function parse<T>(data: string): T {
  try {
    return JSON.parse(data) as T;
  } catch {
    throw new TuttiError('TUTTI_E_INTERNAL', 'the control plane sent a registry event that is not JSON');
  }
}


export async function* watchRegistry(http: Transport, opts: RegistryWatchOptions = {}): AsyncGenerator<RegistryWatchEvent> {
  const { service, signal } = opts;
  const firstRetryMs = opts.retryMs ?? DEFAULT_RETRY_MS;
  const maxRetryMs = opts.maxRetryMs ?? DEFAULT_MAX_RETRY_MS;
  let last = opts.index;
  let retryMs = firstRetryMs;
  while (!signal?.aborted) {
    let res: Response | undefined;
    try {
      res = await http.stream(WATCH_PATH, {
        query: { service },
        headers: last === undefined ? undefined : { 'last-event-id': String(last) },
        signal,
      });
      for await (const message of readServerSentEvents(res.body!)) {
        if (message.event === 'error') throw TuttiError.fromJSON(parse(message.data));
        if (message.event === 'reset') {
          const snapshot = parse<{ index: number; instances: RegistryInstance[] }>(message.data);
          last = snapshot.index;
          retryMs = firstRetryMs;
          yield { type: 'reset', index: snapshot.index, instances: snapshot.instances };
        } else if (message.event === 'change') {
          const event = parse<RegistryEvent>(message.data);
          // a replay may overlap what was already handed out
          if (last !== undefined && event.index <= last) continue;
          last = event.index;
          retryMs = firstRetryMs;
          yield { type: 'change', index: event.index, event };
        }
      }
      // the server ended the stream (a restart, a proxy's idle cut): pick up where we were
    } catch (err) {
      if (signal?.aborted) return;
      if (!retriable(err)) throw err;
    }
    if (!(await pause(retryMs, signal, { unref: true }))) return;
    retryMs = Math.min(maxRetryMs, retryMs * 2);
  }
}
