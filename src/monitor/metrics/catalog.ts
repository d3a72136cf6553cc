// The names, types, help texts and histogram buckets of tutti's own metrics, in one place:
// `/metrics`, the series store, alert rules and docs/monitoring.md all use these names.

/** Upper bounds (seconds) of the stable endpoints' latency histogram: a local proxy answers in
 *  well under a millisecond when the instance is quick, and a request slower than 10 s is an
 *  outage rather than a latency. 14 buckets (+Inf) keep the series store small. */
export const DURATION_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Upper bounds (seconds) of the workflow task duration histogram: from a `set` (well under a
 *  millisecond) through HTTP calls to waits and listens of minutes or hours. */
export const WORKFLOW_TASK_BUCKETS: readonly number[] = [0.001, 0.005, 0.025, 0.1, 0.5, 1, 5, 30, 60, 300, 1800, 3600];

export type MetricType = 'gauge' | 'counter' | 'histogram';

export interface MetricDef {
  name: string;
  type: MetricType;
  help: string;
  /** kept in the short-term series store (alert rules, `tutti top`, `/api/v1/series`) */
  stored: boolean;
}

const def = (name: string, type: MetricType, help: string, stored = true): MetricDef => ({ name, type, help, stored });

export const METRICS = {
  stackHealth: def('tutti_stack_health', 'gauge', 'Weighted stack-health score in [0, 1] (importance-weighted ready fraction of each service).'),
  serviceReady: def('tutti_service_ready_instances', 'gauge', 'Ready instances of the service.'),
  serviceDesired: def('tutti_service_desired_instances', 'gauge', 'Instances the service should have now (0 while stopped).'),
  instanceUp: def('tutti_instance_up', 'gauge', '1 while the instance\'s process exists (starting, running, unhealthy, stopping), else 0.'),
  instanceReady: def('tutti_instance_ready', 'gauge', '1 while the instance is ready (health check passing, or none), else 0.'),
  instanceRestarts: def('tutti_instance_restarts_total', 'counter', 'Times the instance\'s process was restarted.'),
  instanceCpu: def('tutti_instance_cpu_seconds_total', 'counter', 'User and system CPU time of the instance\'s process, read from the OS.'),
  instanceMemory: def('tutti_instance_resident_memory_bytes', 'gauge', 'Resident memory of the instance\'s process, read from the OS.'),
  qosScore: def('tutti_instance_qos_score', 'gauge', 'QoS score of the instance as its stable endpoint sees it, in [0, 1].'),
  qosTerm: def('tutti_instance_qos_term', 'gauge', 'One normalised term of the QoS score (latency, success, load, health), in [0, 1].', false),
  inFlight: def('tutti_endpoint_in_flight_requests', 'gauge', 'Requests (or TCP connections) the stable endpoint has open to the instance.'),
  requests: def('tutti_endpoint_requests_total', 'counter', 'Requests through the stable endpoint, by status code class (2xx … 5xx, "error" when no response came).'),
  requestErrors: def('tutti_endpoint_request_errors_total', 'counter', 'Requests through the stable endpoint that failed: 5xx answers and no answer at all.'),
  requestDuration: def('tutti_endpoint_request_duration_seconds', 'histogram', 'Time from the request reaching the stable endpoint to the end of the instance\'s answer.'),
  registryServices: def('tutti_registry_services', 'gauge', 'Services known to the registry (declared or registered).'),
  registryInstances: def('tutti_registry_instances', 'gauge', 'Instances in the registry, by check status.'),
  alerts: def('tutti_alerts', 'gauge', 'Alerts of each rule by state (pending, firing).', false),
  ALERTS: def('ALERTS', 'gauge', 'Prometheus\' convention: 1 for every pending or firing alert, with its labels and alertstate.', false),
  workflowRunsStarted: def('tutti_workflow_runs_started_total', 'counter', 'Workflow runs started in this control plane (API, schedules, events), by workflow.'),
  workflowRunsCompleted: def('tutti_workflow_runs_completed_total', 'counter', 'Workflow runs that ended, by workflow and status (completed, faulted, cancelled).'),
  workflowRunsActive: def('tutti_workflow_runs_active', 'gauge', 'Workflow runs going on in this control plane now (started or resumed, not yet ended or suspended).'),
  workflowTaskDuration: def('tutti_workflow_task_duration_seconds', 'histogram', 'Time from a workflow task\'s start to its completion or fault, by workflow and task type (set, call.http, wait, …).'),
} as const satisfies Record<string, MetricDef>;

/** The `code` label of a request: its status code class, or "error" when no response came.
 *  Classes rather than exact codes keep the number of series bounded. */
export function codeClass(status: number): string {
  if (!(status >= 100 && status < 600)) return 'error';
  return `${Math.floor(status / 100)}xx`;
}

/** A failed request for the error counter: a 5xx answer or none at all. */
export function isErrorStatus(status: number): boolean {
  return !(status >= 100 && status < 500);
}
