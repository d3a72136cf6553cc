// Logs: search across services (grep, level, time range, how many lines) and follow live. The
// filters live in the URL, so a search can be shared or reloaded.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, withQuery } from '../api/http';
import { openStream } from '../api/live';
import type { LogLine } from '../api/types';
import { ErrorNotice, Panel } from '../components/bits';
import { LogLines } from '../components/log-lines';
import { setQuery, useLocation } from '../router';
import { useStack } from '../state/stack';

const LEVELS = ['', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const SINCE = [
  ['all', 'any time'],
  ['5m', 'last 5 minutes'],
  ['15m', 'last 15 minutes'],
  ['1h', 'last hour'],
  ['6h', 'last 6 hours'],
  ['24h', 'last day'],
];
const KEEP = 2000;

export default function LogsPage() {
  const { query } = useLocation();
  const live = useStack();
  const services = live.stack?.services.map((s) => s.name) ?? [];
  const filters = {
    service: query.getAll('service'),
    grep: query.get('grep') ?? '',
    level: query.get('level') ?? '',
    since: query.get('since') ?? '15m',
    until: query.get('until') ?? '',
    tail: query.get('tail') ?? '500',
  };
  const follow = query.get('follow') === '1';
  const [lines, setLines] = useState<LogLine[]>([]);
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const key = JSON.stringify(filters);
  const box = useRef<HTMLDivElement>(null);
  // what the form shows until searched (the URL holds what was searched)
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [key]);
  const edit = (field: keyof typeof filters) => (e: Event) => setDraft((d) => ({ ...d, [field]: (e.target as HTMLInputElement).value }));

  const apiQuery = {
    service: filters.service,
    grep: filters.grep || undefined,
    level: filters.level || undefined,
    since: filters.since === 'all' ? undefined : filters.since,
    until: filters.until || undefined,
    tail: Number(filters.tail) || 500,
  };

  useEffect(() => {
    setError(undefined);
    if (follow) {
      setLines([]);
      let buffer: LogLine[] = [];
      let frame = 0;
      const close = openStream(
        withQuery('/api/v1/logs', { ...apiQuery, until: undefined, follow: true }),
        {
          log: (d) => {
            buffer.push(d as LogLine);
            frame ||= requestAnimationFrame(() => {
              frame = 0;
              const add = buffer;
              buffer = [];
              setLines((old) => [...old, ...add].slice(-KEEP));
            });
          },
          error: (d) => setError(new ApiError(500, 'TUTTI_E_INTERNAL', (d as { message?: string }).message ?? 'the log stream failed')),
        },
      );
      return () => {
        close();
        cancelAnimationFrame(frame);
      };
    }
    const abort = new AbortController();
    setBusy(true);
    get<{ lines: LogLine[] }>('/api/v1/logs', apiQuery, abort.signal).then(
      (r) => {
        setLines(r.lines);
        setBusy(false);
      },
      (err: unknown) => {
        if ((err as Error).name === 'AbortError') return;
        setError(err instanceof ApiError ? err : new ApiError(0, 'TUTTI_E_INTERNAL', String(err)));
        setLines([]);
        setBusy(false);
      },
    );
    return () => abort.abort();
  }, [key, follow]);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);

  return (
    <div class="page">
      <h1>Logs</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const url = new URL(location.href);
          url.searchParams.delete('service');
          for (const s of draft.service) url.searchParams.append('service', s);
          history.replaceState(null, '', url.pathname + url.search);
          setQuery({ grep: draft.grep, level: draft.level, since: draft.since, until: draft.until, tail: draft.tail });
        }}
      >
        <fieldset class="service-picks">
          <legend>Services</legend>
          {services.length === 0 && <span class="muted small">all</span>}
          {services.map((s) => (
            <label key={s} class="check">
              <input
                type="checkbox"
                name="service"
                value={s}
                checked={draft.service.includes(s)}
                onChange={(e) => {
                  const on = (e.target as HTMLInputElement).checked;
                  setDraft((d) => ({ ...d, service: on ? [...d.service, s] : d.service.filter((x) => x !== s) }));
                }}
              />{' '}
              {s}
            </label>
          ))}
        </fieldset>
        <label>
          grep
          <input name="grep" type="search" placeholder="text or /regex/i" value={draft.grep} onInput={edit('grep')} />
        </label>
        <label>
          level ≥
          <select name="level" value={draft.level} onChange={edit('level')}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          since
          <select name="since" value={draft.since} onChange={edit('since')}>
            {SINCE.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          until
          <input name="until" type="text" placeholder="now (or ISO time, 10m)" value={draft.until} onInput={edit('until')} size={14} />
        </label>
        <label>
          lines
          <input name="tail" type="number" min="1" max="10000" value={draft.tail} onInput={edit('tail')} />
        </label>
        <div class="btn-row">
          <button class="btn btn-primary" type="submit">
            Search
          </button>
          <button class={`btn ${follow ? 'btn-selected' : ''}`} type="button" aria-pressed={follow} onClick={() => setQuery({ follow: follow ? undefined : '1' })}>
            {follow ? 'Stop following' : 'Follow'}
          </button>
        </div>
      </form>
      <Panel title={follow ? 'Following' : `${lines.length} line${lines.length === 1 ? '' : 's'}`} id="lines">
        {error && <ErrorNotice error={error} what="The search failed" />}
        <div class="log-box log-box-tall" ref={box} tabIndex={0} aria-label="log lines" aria-busy={busy}>
          <LogLines lines={lines} showService empty={busy ? 'Searching…' : follow ? 'Waiting for lines…' : 'No line matches.'} />
        </div>
      </Panel>
    </div>
  );
}
