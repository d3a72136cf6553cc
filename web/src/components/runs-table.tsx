// Runs of workflows, newest first, with filters (workflow, status, since) kept in the URL and
// pages of results ("older runs"); refreshed every few seconds while any run is still going.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, get } from '../api/http';
import type { RunStatus, RunSummary } from '../api/types';
import { ago, dateTime, duration } from '../lib/format';
import { href, setQuery, useLocation } from '../router';
import { Badge, ErrorNotice, Notice, SkeletonRows } from './bits';

const STATUSES: Array<RunStatus | ''> = ['', 'running', 'completed', 'faulted', 'cancelled', 'suspended'];
const SINCE = [['', 'any time'], ['1h', 'last hour'], ['24h', 'last day'], ['168h', 'last week']];

export function RunsTable({ workflow, workflows }: { workflow?: string; workflows?: string[] }) {
  const { query } = useLocation();
  const filters = { workflow: workflow ?? query.get('workflow') ?? '', status: query.get('status') ?? '', since: query.get('since') ?? '' };
  const [pages, setPages] = useState<RunSummary[][]>([]);
  const [next, setNext] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [loaded, setLoaded] = useState(false);
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(filters);
  const runs = pages.flat();

  const load = (before?: string) =>
    get<{ runs: RunSummary[]; next?: string }>('/api/v1/runs', { workflow: filters.workflow || undefined, status: filters.status || undefined, since: filters.since || undefined, limit: 50, before });

  useEffect(() => {
    let live = true;
    load().then(
      (r) => {
        if (!live) return;
        setPages([r.runs]);
        setNext(r.next);
        setError(undefined);
        setLoaded(true);
      },
      (err: unknown) => {
        if (!live) return;
        setError(err instanceof ApiError ? err : new ApiError(0, 'TUTTI_E_INTERNAL', String(err)));
        setLoaded(true);
      },
    );
    return () => {
      live = false;
    };
  }, [key, tick]);

  // while a run is going, look again every 3 s (a run's own page follows it live)
  const going = runs.some((r) => r.status === 'running');
  useEffect(() => {
    const timer = setInterval(() => document.visibilityState === 'visible' && setTick((n) => n + 1), going ? 3000 : 15000);
    return () => clearInterval(timer);
  }, [going]);

  if (error && error.status === 404) return <Notice>Runs are not available: this control plane does not serve the workflow API.</Notice>;
  return (
    <div>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        {!workflow && workflows && (
          <label>
            workflow
            <select value={filters.workflow} onChange={(e) => setQuery({ workflow: (e.target as HTMLSelectElement).value })}>
              <option value="">all</option>
              {workflows.map((w) => (
                <option key={w} value={w}>
                  {w}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          status
          <select value={filters.status} onChange={(e) => setQuery({ status: (e.target as HTMLSelectElement).value })}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          started
          <select value={filters.since} onChange={(e) => setQuery({ since: (e.target as HTMLSelectElement).value })}>
            {SINCE.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
      </form>
      {error && <ErrorNotice error={error} what="The runs could not be listed" />}
      <div class="table-wrap">
        <table class="table runs-table">
          <thead>
            <tr>
              <th scope="col">Run</th>
              {!workflow && <th scope="col">Workflow</th>}
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col" class="num">Duration</th>
            </tr>
          </thead>
          <tbody>
            {!loaded ? (
              <SkeletonRows rows={3} cols={workflow ? 4 : 5} />
            ) : runs.length === 0 ? (
              <tr>
                <td colSpan={5} class="muted">
                  No run matches.
                </td>
              </tr>
            ) : (
              runs.map((r) => (
                <tr key={r.id} data-run={r.id}>
                  <th scope="row">
                    <a href={href.run(r.id)}>
                      <code>{r.id.slice(0, 12)}</code>
                    </a>
                  </th>
                  {!workflow && (
                    <td>
                      <a href={href.workflow(r.workflow)}>{r.workflow}</a> <span class="muted small">{r.version}</span>
                    </td>
                  )}
                  <td>
                    <Badge state={r.status} title={r.error?.title ?? r.error?.detail} />
                  </td>
                  <td title={dateTime(r.createdAt)}>{ago(r.createdAt)}</td>
                  <td class="num">{duration((r.endedAt ?? Date.now()) - r.createdAt)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {next && (
        <button
          class="btn"
          type="button"
          onClick={() =>
            load(next).then((r) => {
              setPages((p) => [...p, r.runs]);
              setNext(r.next);
            })
          }
        >
          Older runs
        </button>
      )}
    </div>
  );
}
