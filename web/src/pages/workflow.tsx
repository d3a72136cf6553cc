// One workflow: its graph drawn from the definition (laid out by elkjs), its versions and
// source, its runs, and starting a run with an input form.

import { useMemo, useState } from 'preact/hooks';
import type { WorkflowDocument } from '../api/types';
import { ErrorNotice, Panel } from '../components/bits';
import { Graph } from '../components/graph';
import { RunDialog } from '../components/run-dialog';
import { RunsTable } from '../components/runs-table';
import { useApi } from '../lib/use-api';
import { workflowGraph } from '../lib/workflow-graph';
import { setQuery, useLocation } from '../router';
import { canAct, useSession } from '../state/session';

export default function WorkflowPage({ name }: { name: string }) {
  const { query } = useLocation();
  const version = query.get('version') ?? undefined;
  const session = useSession();
  const wf = useApi<WorkflowDocument>(`/api/v1/workflows/${encodeURIComponent(name)}`, { version });
  const [running, setRunning] = useState(false);
  const [showSource, setShowSource] = useState(false);
  const doc = wf.data;
  const graph = useMemo(() => (doc ? workflowGraph(doc.document) : undefined), [doc]);

  if (wf.error) {
    return (
      <div class="page">
        <h1>{name}</h1>
        <ErrorNotice error={wf.error} what={`Workflow ${name}`} />
        <p>
          <a href="/workflows">All workflows</a>
        </p>
      </div>
    );
  }
  const meta = (doc?.document.document ?? {}) as { title?: string; summary?: string };
  return (
    <div class="page">
      <div class="page-head">
        <h1>
          {meta.title ?? name} {doc && <span class="muted small">{doc.version}</span>}
        </h1>
        {doc && canAct(session) && (
          <button class="btn btn-primary" type="button" onClick={() => setRunning(true)}>
            Run…
          </button>
        )}
      </div>
      {meta.summary && <p class="muted">{meta.summary}</p>}
      {doc && doc.versions.length > 1 && (
        <label class="inline">
          version{' '}
          <select value={doc.version} onChange={(e) => setQuery({ version: (e.target as HTMLSelectElement).value })}>
            {doc.versions.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
      )}
      <Panel
        title="Flow"
        id="flow"
        actions={
          <button class="btn btn-small" type="button" aria-pressed={showSource} onClick={() => setShowSource(!showSource)}>
            {showSource ? 'Graph' : 'Source'}
          </button>
        }
      >
        {!doc || !graph ? (
          <div class="graph graph-loading" style={{ minHeight: 240 }} />
        ) : showSource ? (
          <pre class="source" tabIndex={0}>
            {doc.source}
          </pre>
        ) : (
          <Graph
            nodes={graph.nodes.map((n) => ({ id: n.id, label: n.label, sub: n.kind === 'box' ? n.type : undefined, kind: n.kind, title: n.id }))}
            edges={graph.edges}
            label={`flow of ${name}`}
            direction="DOWN"
          />
        )}
      </Panel>
      <Panel title="Runs" id="runs">
        <RunsTable workflow={name} />
      </Panel>
      {running && doc && <RunDialog workflow={doc} onClose={() => setRunning(false)} />}
    </div>
  );
}
