// Workflows: the deployed definitions and the runs of all of them. While the control plane
// serves no workflow API, the page says so instead of showing an empty list.

import type { WorkflowSummary } from '../api/types';
import { ErrorNotice, Notice, Panel, SkeletonRows } from '../components/bits';
import { RunsTable } from '../components/runs-table';
import { ago } from '../lib/format';
import { useApi } from '../lib/use-api';
import { href } from '../router';

export default function WorkflowsPage() {
  const list = useApi<{ workflows: WorkflowSummary[] }>('/api/v1/workflows', undefined, { everyMs: 15000 });
  const workflows = list.data?.workflows;
  if (list.error && (list.error.status === 404 || list.error.status === 503)) {
    return (
      <div class="page">
        <h1>Workflows</h1>
        <Notice>No workflows are available: this control plane does not run workflows yet.</Notice>
      </div>
    );
  }
  return (
    <div class="page">
      <h1>Workflows</h1>
      <Panel title="Definitions" id="definitions">
        {list.error && <ErrorNotice error={list.error} what="The workflows could not be listed" />}
        {workflows && workflows.length === 0 ? (
          <Notice>
            No workflow is deployed. List documents under <code>workflows:</code> in tutti.yaml, or deploy one with <code>POST /api/v1/workflows</code>.
          </Notice>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Workflow</th>
                  <th scope="col">Version</th>
                  <th scope="col">Summary</th>
                  <th scope="col">From</th>
                  <th scope="col">Deployed</th>
                </tr>
              </thead>
              <tbody>
                {!workflows ? (
                  <SkeletonRows rows={2} cols={5} />
                ) : (
                  workflows.map((w) => (
                    <tr key={w.name} data-workflow={w.name}>
                      <th scope="row">
                        <a href={href.workflow(w.name)}>{w.title ?? w.name}</a>
                        {w.title && <div class="muted small">{w.name}</div>}
                      </th>
                      <td>
                        {w.version}
                        {w.versions.length > 1 && <span class="muted small"> (+{w.versions.length - 1})</span>}
                      </td>
                      <td>{w.summary ?? <span class="muted">–</span>}</td>
                      <td>{w.origin}</td>
                      <td>{ago(w.createdAt)}</td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
      <Panel title="Runs" id="runs">
        <RunsTable workflows={workflows?.map((w) => w.name)} />
      </Panel>
    </div>
  );
}
