// One run: its status, input and output, a timeline of its tasks (start, duration, attempts)
// with each task's input, output and error, the flow graph coloured by what ran, live while it
// runs (/api/v1/runs/{id}/watch), and the actions its status allows: cancel, suspend, resume.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, get, post } from '../api/http';
import { openStream } from '../api/live';
import type { RunDetail, RunSummary, TaskRecord, WorkflowDocument } from '../api/types';
import { Badge, ErrorNotice, Json, Notice, Panel } from '../components/bits';
import { ConfirmDialog } from '../components/confirm';
import { Graph, type GraphNode } from '../components/graph';
import { dateTime, duration, tone } from '../lib/format';
import { timeline } from '../lib/timeline';
import { useApi } from '../lib/use-api';
import { workflowGraph } from '../lib/workflow-graph';
import { href } from '../router';
import { canAct, useSession } from '../state/session';

type Action = 'cancel' | 'suspend' | 'resume';
const TERMINAL = new Set(['completed', 'faulted', 'cancelled']);

function useRun(id: string): { run?: RunDetail; error?: ApiError; live: boolean; refresh: () => void } {
  const [run, setRun] = useState<RunDetail>();
  const [error, setError] = useState<ApiError>();
  const [live, setLive] = useState(false);
  const [tick, setTick] = useState(0);
  const [, setClock] = useState(0);
  const refresh = () => setTick((n) => n + 1);

  useEffect(() => {
    let on = true;
    get<{ run: RunDetail }>(`/api/v1/runs/${encodeURIComponent(id)}`).then(
      (r) => on && (setRun(r.run), setError(undefined)),
      (err: unknown) => on && setError(err instanceof ApiError ? err : new ApiError(0, 'TUTTI_E_INTERNAL', String(err))),
    );
    return () => {
      on = false;
    };
  }, [id, tick]);

  const status = run?.status;
  useEffect(() => {
    if (!status || TERMINAL.has(status)) return;
    // each event says something changed: read the run again, at most once per frame
    let frame = 0;
    const again = () => (frame ||= requestAnimationFrame(() => ((frame = 0), refresh())));
    const close = openStream(
      `/api/v1/runs/${encodeURIComponent(id)}/watch`,
      {
        task: () => again(),
        run: (data) => {
          again();
          // the stream ends after a terminal status; stop EventSource from reconnecting
          if (TERMINAL.has((data as RunSummary).status)) close();
        },
      },
      { onOpen: () => setLive(true), onDown: () => setLive(false) },
    );
    return () => {
      close();
      cancelAnimationFrame(frame);
      setLive(false);
    };
  }, [id, status === undefined || TERMINAL.has(status)]);

  // a running task's bar grows with the clock
  useEffect(() => {
    if (!status || TERMINAL.has(status)) return;
    const timer = setInterval(() => setClock((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [status]);

  return { run, error, live, refresh };
}

function TaskDetail({ t }: { t: TaskRecord }) {
  return (
    <div class="task-detail">
      <div class="kv small">
        <span>
          pointer <code>{t.pointer}</code>
        </span>
        <span>started {dateTime(t.startedAt)}</span>
        {t.endedAt && <span>ended {dateTime(t.endedAt)}</span>}
        {t.retries ? <span>{t.retries} retries</span> : null}
      </div>
      <div class="io">
        <div>
          <h4>Input</h4>
          <Json value={t.input} label={`input of ${t.name}`} />
        </div>
        <div>
          <h4>{t.error ? 'Error' : 'Output'}</h4>
          <Json value={t.error ?? t.output} label={`${t.error ? 'error' : 'output'} of ${t.name}`} />
        </div>
      </div>
    </div>
  );
}

export default function RunPage({ id }: { id: string }) {
  const { run, error, live, refresh } = useRun(id);
  const session = useSession();
  const [open, setOpen] = useState<string>();
  const [confirm, setConfirm] = useState<Action>();
  const [actionError, setActionError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const wf = useApi<WorkflowDocument>(run ? `/api/v1/workflows/${encodeURIComponent(run.workflow)}` : undefined, run ? { version: run.version } : undefined);
  const graph = useMemo(() => (wf.data ? workflowGraph(wf.data.document) : undefined), [wf.data]);

  if (error) {
    return (
      <div class="page">
        <h1>Run {id}</h1>
        <ErrorNotice error={error} />
      </div>
    );
  }
  if (!run) return <div class="page"><h1>Run</h1><div class="placeholder tall" aria-busy="true" /></div>;

  const now = Date.now();
  const tl = timeline(run.tasks, run.createdAt, run.endedAt, now);
  const statusOf = new Map<string, TaskRecord['status']>();
  for (const t of run.tasks) statusOf.set(t.pointer, t.status === 'faulted' || statusOf.get(t.pointer) === 'faulted' ? 'faulted' : t.status);
  const act = async (action: Action) => {
    setBusy(true);
    setActionError(undefined);
    try {
      await post(`/api/v1/runs/${encodeURIComponent(id)}/${action}`);
      refresh();
    } catch (err) {
      setActionError(err instanceof ApiError ? err : new ApiError(0, 'TUTTI_E_INTERNAL', String(err)));
    } finally {
      setBusy(false);
      setConfirm(undefined);
    }
  };
  const allowed: Action[] = run.status === 'running' ? ['suspend', 'cancel'] : run.status === 'suspended' ? ['resume', 'cancel'] : [];

  return (
    <div class="page">
      <div class="page-head">
        <h1>
          <a href={href.workflow(run.workflow)}>{run.workflow}</a> <span class="muted small">run {run.id.slice(0, 12)}</span>
        </h1>
        {canAct(session) && allowed.length > 0 && (
          <div class="btn-row">
            {allowed.map((a) => (
              <button key={a} type="button" class={`btn ${a === 'cancel' ? 'btn-danger-outline' : ''}`} disabled={busy} onClick={() => setConfirm(a)}>
                {a[0].toUpperCase() + a.slice(1)}
              </button>
            ))}
          </div>
        )}
      </div>
      <div class="kv">
        <span data-testid="run-status">
          <Badge state={run.status} />
        </span>
        <span>version {run.version}</span>
        <span>started {dateTime(run.createdAt)}</span>
        <span>{run.endedAt ? `took ${duration(run.endedAt - run.createdAt)}` : `running for ${duration(now - run.createdAt)}`}</span>
        {!TERMINAL.has(run.status) && (
          <span class={`live ${live ? 'on' : 'off'}`}>
            <span class="live-dot" aria-hidden="true" />
            {live ? 'live' : 'reconnecting'}
          </span>
        )}
      </div>
      {actionError && <ErrorNotice error={actionError} what="The action was refused" />}
      {run.error && (
        <Notice tone="bad" role="alert">
          {run.error.title ?? run.error.type}: {run.error.detail ?? ''} {run.error.instance && <code>{run.error.instance}</code>}
        </Notice>
      )}

      <Panel title={`Timeline (${run.tasks.length} task${run.tasks.length === 1 ? '' : 's'})`} id="timeline">
        {tl.rows.length === 0 ? (
          <Notice>No task has started yet.</Notice>
        ) : (
          <ol class="timeline" aria-label="tasks in start order">
            {tl.rows.map((r) => (
              <li key={r.key} data-task={r.name} data-status={r.status}>
                <button type="button" class="timeline-row" aria-expanded={open === r.key} onClick={() => setOpen(open === r.key ? undefined : r.key)}>
                  <span class="tl-name" style={{ paddingLeft: `${r.depth * 14}px` }}>
                    {r.name}
                  </span>
                  <span class="tl-track">
                    <span class={`tl-bar tone-${tone(r.status === 'completed' ? 'completed' : r.status)}`} style={{ left: `${r.left * 100}%`, width: `${r.width * 100}%` }} />
                  </span>
                  <span class="tl-meta num">
                    {duration(r.durationMs)}
                    {r.attempts > 1 && <span class="muted"> · {r.attempts} attempts</span>}
                  </span>
                  <Badge state={r.status} />
                </button>
                {open === r.key && <TaskDetail t={r.record} />}
              </li>
            ))}
          </ol>
        )}
        <p class="muted small">Select a task for its input, output or error. The bars span {duration(tl.spanMs)}.</p>
      </Panel>

      <div class="two-cols">
        <Panel title="Input" id="input">
          <Json value={run.input} label="run input" />
        </Panel>
        <Panel title={run.error ? 'Error' : 'Output'} id="output">
          {run.status === 'running' || run.status === 'suspended' ? <p class="muted">Not finished yet.</p> : <Json value={run.error ?? run.output} label="run output" />}
        </Panel>
      </div>

      {graph && (
        <Panel title="Flow" id="flow">
          <Graph
            nodes={graph.nodes.map(
              (n): GraphNode => ({ id: n.id, label: n.label, sub: n.kind === 'box' ? n.type : undefined, kind: n.kind, tone: statusOf.has(n.id) ? tone(statusOf.get(n.id)) : 'idle', title: n.id }),
            )}
            edges={graph.edges}
            label={`flow of ${run.workflow}, coloured by what this run did`}
            direction="DOWN"
          />
        </Panel>
      )}

      {confirm && (
        <ConfirmDialog
          title={`${confirm[0].toUpperCase() + confirm.slice(1)} run ${run.id.slice(0, 12)}`}
          confirmLabel={confirm[0].toUpperCase() + confirm.slice(1)}
          danger={confirm === 'cancel'}
          busy={busy}
          onConfirm={() => void act(confirm)}
          onCancel={() => setConfirm(undefined)}
        >
          {confirm === 'cancel' && <p>The run stops for good: what is in flight is aborted and it cannot be resumed.</p>}
          {confirm === 'suspend' && <p>The run stops where it is; resume it later from this page.</p>}
          {confirm === 'resume' && <p>The run continues from where it was suspended.</p>}
        </ConfirmDialog>
      )}
    </div>
  );
}
