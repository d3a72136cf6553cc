// What tutti measures at one instant, as metric families: pure, so a table test can check what
// a given status, set of process stats, scores and counters become. `/metrics` renders these
// families through prom-client; the series store keeps the `stored` ones. One source for both
// means an alert rule sees exactly the series a Prometheus scraping tutti would.

import type { ScoredInstance } from '../../core/index.js';
import type { StackStatus } from '../../orchestrator/types.js';
import type { ServiceSummary } from '../../registry/types.js';
import type { SeriesSample } from '../series/index.js';
import type { AlertsView } from '../runner/types.js';
import { METRICS, type MetricDef } from './catalog.js';
import { cumulativeBuckets, type EndpointCounts } from './request-recorder.js';
import { cumulativeTaskBuckets, type WorkflowCounts } from './workflow-recorder.js';

/** CPU (percent of one core), resident memory (bytes) and, when the OS tells, CPU seconds. */
export type InstanceUsage = Record<string, { cpu: number; memory: number; cpuSeconds?: number }>;

/** The part of the orchestrator's status the families read. */
export type MeasuredStatus = Pick<StackStatus, 'health'> & {
  services: ReadonlyArray<Pick<StackStatus['services'][number], 'name' | 'desired' | 'ready'>>;
  instances: ReadonlyArray<Pick<StackStatus['instances'][number], 'id' | 'service' | 'state' | 'ready' | 'restarts'>>;
};

export interface MetricSnapshot {
  status: MeasuredStatus | null;
  usage?: InstanceUsage;
  /** QoS scores by service */
  scores?: ReadonlyMap<string, readonly ScoredInstance[]>;
  registry?: readonly ServiceSummary[];
  alerts?: AlertsView;
  requests?: Iterable<EndpointCounts>;
  workflows?: WorkflowCounts;
}

export interface FamilySample {
  /** the full name, with a histogram's _bucket/_sum/_count suffix */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  def: MetricDef;
  samples: FamilySample[];
}

/** States in which the instance's process exists. */
const PROCESS_RUNS = new Set(['starting', 'running', 'unhealthy', 'stopping']);
const TERMS = ['latency', 'success', 'load', 'health'] as const;

export function collectFamilies(snap: MetricSnapshot): MetricFamily[] {
  const fams = new Map<MetricDef, FamilySample[]>();
  const add = (def: MetricDef, labels: Record<string, string>, value: number, suffix = '') => {
    let list = fams.get(def);
    if (!list) fams.set(def, (list = []));
    list.push({ name: def.name + suffix, labels, value });
  };
  // every family of the catalog is listed, even without samples, so `/metrics` always shows its HELP and TYPE
  for (const def of Object.values(METRICS)) fams.set(def, []);

  const { status } = snap;
  if (status) {
    add(METRICS.stackHealth, {}, status.health);
    for (const s of status.services) {
      add(METRICS.serviceReady, { service: s.name }, s.ready);
      add(METRICS.serviceDesired, { service: s.name }, s.desired);
    }
    for (const i of status.instances) {
      const labels = { service: i.service, instance: i.id };
      add(METRICS.instanceUp, labels, PROCESS_RUNS.has(i.state) ? 1 : 0);
      add(METRICS.instanceReady, labels, i.ready ? 1 : 0);
      add(METRICS.instanceRestarts, labels, i.restarts);
      const u = snap.usage?.[i.id];
      if (u) {
        if (u.cpuSeconds !== undefined) add(METRICS.instanceCpu, labels, u.cpuSeconds);
        add(METRICS.instanceMemory, labels, u.memory);
      }
    }
  }

  for (const [service, scored] of snap.scores ?? []) {
    for (const s of scored) {
      const labels = { service, instance: s.id };
      add(METRICS.qosScore, labels, s.score);
      for (const term of TERMS) add(METRICS.qosTerm, { ...labels, term }, s.terms[term]);
      add(METRICS.inFlight, labels, s.inFlight);
    }
  }

  for (const e of snap.requests ?? []) {
    const labels = { service: e.service, instance: e.instance };
    for (const [code, n] of e.codes) add(METRICS.requests, { ...labels, code }, n);
    add(METRICS.requestErrors, labels, e.errors);
    for (const b of cumulativeBuckets(e)) add(METRICS.requestDuration, { ...labels, le: b.le }, b.count, '_bucket');
    add(METRICS.requestDuration, labels, e.sum, '_sum');
    add(METRICS.requestDuration, labels, e.count, '_count');
  }

  if (snap.registry) {
    add(METRICS.registryServices, {}, snap.registry.length);
    const by = { passing: 0, warning: 0, critical: 0 };
    for (const s of snap.registry) {
      by.passing += s.passing;
      by.warning += s.warning;
      by.critical += s.critical;
    }
    for (const [st, n] of Object.entries(by)) add(METRICS.registryInstances, { status: st }, n);
  }

  for (const rule of snap.alerts?.rules ?? []) {
    const count = { pending: 0, firing: 0 };
    for (const a of rule.alerts) {
      if (a.state !== 'pending' && a.state !== 'firing') continue;
      count[a.state]++;
      add(METRICS.ALERTS, { ...a.labels, alertname: rule.name, alertstate: a.state }, 1);
    }
    for (const [state, n] of Object.entries(count)) add(METRICS.alerts, { alertname: rule.name, state }, n);
  }

  if (snap.workflows) addWorkflows(snap.workflows, add);

  return [...fams].map(([def, samples]) => ({ def, samples }));
}

type Add = (def: MetricDef, labels: Record<string, string>, value: number, suffix?: string) => void;

function addWorkflows(w: WorkflowCounts, add: Add): void {
  for (const [workflow, n] of w.started) add(METRICS.workflowRunsStarted, { workflow }, n);
  for (const [workflow, by] of w.ended) for (const [status, n] of by) add(METRICS.workflowRunsCompleted, { workflow, status }, n);
  for (const [workflow, n] of w.active) add(METRICS.workflowRunsActive, { workflow }, n);
  for (const t of w.tasks()) {
    const labels = { workflow: t.workflow, task_type: t.taskType };
    for (const b of cumulativeTaskBuckets(t)) add(METRICS.workflowTaskDuration, { ...labels, le: b.le }, b.count, '_bucket');
    add(METRICS.workflowTaskDuration, labels, t.sum, '_sum');
    add(METRICS.workflowTaskDuration, labels, t.count, '_count');
  }
}

/** The families' samples that the series store keeps, at time `t`. */
export function storedSamples(families: readonly MetricFamily[], t: number): SeriesSample[] {
  const out: SeriesSample[] = [];
  for (const f of families) {
    if (!f.def.stored) continue;
    for (const s of f.samples) out.push({ name: s.name, labels: s.labels, t, v: s.value });
  }
  return out;
}
