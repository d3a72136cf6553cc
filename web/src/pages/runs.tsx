// Every run of every workflow, with filters.

import { Panel } from '../components/bits';
import { RunsTable } from '../components/runs-table';
import type { WorkflowSummary } from '../api/types';
import { useApi } from '../lib/use-api';

export default function RunsPage() {
  const list = useApi<{ workflows: WorkflowSummary[] }>('/api/v1/workflows');
  return (
    <div class="page">
      <h1>Runs</h1>
      <Panel title="Runs" id="runs">
        <RunsTable workflows={list.data?.workflows.map((w) => w.name)} />
      </Panel>
    </div>
  );
}
