import { describe, expect, it } from 'vitest';
import { collectFamilies, storedSamples } from './families.js';
import { createMetrics } from './create-metrics.js';
import { parsePromText } from './test-prom-text.js';
import { WorkflowRecorder, cumulativeTaskBuckets } from './workflow-recorder.js';

function recorded(): WorkflowRecorder {
  const w = new WorkflowRecorder();
  w.runStarted('order');
  w.runStarted('order');
  w.runActive('order', 1);
  w.runActive('order', 1);
  w.runActive('order', -1);
  w.runEnded('order', 'completed');
  w.runEnded('order', 'faulted');
  w.runEnded('order', 'completed');
  w.taskEnded('order', 'call.http', 0.02);
  w.taskEnded('order', 'call.http', 2);
  w.taskEnded('order', 'wait', 7200); // beyond the last bound
  return w;
}

describe('workflow metrics', () => {
  it('counts runs by workflow and status, active runs, and task durations by type', () => {
    const fams = Object.fromEntries(collectFamilies({ status: null, workflows: recorded() }).map((f) => [f.def.name, f.samples]));
    expect(fams.tutti_workflow_runs_started_total).toEqual([{ name: 'tutti_workflow_runs_started_total', labels: { workflow: 'order' }, value: 2 }]);
    expect(fams.tutti_workflow_runs_completed_total.map((s) => [s.labels.status, s.value])).toEqual([['completed', 2], ['faulted', 1]]);
    expect(fams.tutti_workflow_runs_active).toEqual([{ name: 'tutti_workflow_runs_active', labels: { workflow: 'order' }, value: 1 }]);
    const http = fams.tutti_workflow_task_duration_seconds.filter((s) => s.labels.task_type === 'call.http');
    const bucket = (le: string) => http.find((s) => s.labels.le === le)?.value;
    expect(bucket('0.025')).toBe(1);
    expect(bucket('1')).toBe(1);
    expect(bucket('5')).toBe(2);
    expect(bucket('+Inf')).toBe(2);
    expect(http.find((s) => s.name.endsWith('_sum'))?.value).toBeCloseTo(2.02);
    expect(http.find((s) => s.name.endsWith('_count'))?.value).toBe(2);
    const wait = fams.tutti_workflow_task_duration_seconds.filter((s) => s.labels.task_type === 'wait');
    expect(wait.find((s) => s.labels.le === '3600')?.value).toBe(0);
    expect(wait.find((s) => s.labels.le === '+Inf')?.value).toBe(1);
  });

  it('keeps the active gauge at zero or more and the series bounded', () => {
    const w = new WorkflowRecorder({ maxSeries: 1 });
    w.runActive('a', -1);
    expect(w.active.get('a')).toBe(0);
    w.taskEnded('a', 'set', 0.001);
    w.taskEnded('a', 'wait', 1);
    expect([...w.tasks()]).toHaveLength(1);
    expect(w.refused).toBe(1);
    expect(cumulativeTaskBuckets([...w.tasks()][0]).at(-1)).toEqual({ le: '+Inf', count: 1 });
  });

  it('lists the families without samples when no workflow ran, and stores them', () => {
    const empty = collectFamilies({ status: null });
    expect(empty.find((f) => f.def.name === 'tutti_workflow_runs_active')?.samples).toEqual([]);
    const stored = storedSamples(collectFamilies({ status: null, workflows: recorded() }), 1000);
    expect(stored.some((s) => s.name === 'tutti_workflow_task_duration_seconds_bucket')).toBe(true);
  });

  it('are exposed on /metrics with HELP and TYPE', async () => {
    const w = recorded();
    const m = createMetrics({ status: () => null, stats: async () => ({}), scores: () => [], workflows: () => w }, { daemonMetrics: false });
    const fams = parsePromText((await m.api.scrape()).body);
    expect(fams.get('tutti_workflow_runs_started_total')?.type).toBe('counter');
    expect(fams.get('tutti_workflow_task_duration_seconds')?.type).toBe('histogram');
    expect(fams.get('tutti_workflow_runs_completed_total')!.samples.find((s) => s.labels.status === 'faulted')?.value).toBe(1);
  });
});
