// The shapes of the control-plane API the dashboard reads (see GET /api/v1/openapi.json).
// Written out here rather than imported: the dashboard talks to the API only; test/web-api-types.test.ts
// checks at type-check time that these copies still match the server's types.

export type Role = 'viewer' | 'service' | 'operator' | 'admin';

export interface ApiErrorBody {
  code: string;
  message: string;
  hint?: string;
}

export type InstanceState = 'starting' | 'running' | 'unhealthy' | 'stopping' | 'stopped' | 'backoff' | 'crash-looping' | 'completed' | 'failed';

export interface Instance {
  id: string;
  service: string;
  revision: string;
  slot: number;
  address: string;
  port: number;
  pid?: number;
  state: InstanceState;
  health: 'none' | 'unknown' | 'passing' | 'failing';
  ready: boolean;
  restarts: number;
  createdAt: number;
  startedAt?: number;
  lastExit?: { code: number | null; signal: string | null; at: number; reason?: string };
  message?: string;
}

export type ServiceState = 'pending' | 'starting' | 'running' | 'degraded' | 'stopped' | 'completed' | 'failed';

export interface Service {
  name: string;
  state: ServiceState;
  desired: number;
  replicas: number;
  ready: number;
  stopped: boolean;
  revision: string;
  importance: number;
  health: number;
  endpoint?: string;
  clusterUrl?: string;
  dependsOn: Record<string, string>;
  message?: string;
}

export interface Stack {
  name: string;
  file: string;
  dir: string;
  appliedAt: number;
  health: number;
  services: Service[];
  instances: Instance[];
}

export interface Figures {
  cpuPercent: number | null;
  memoryBytes: number | null;
  requestsPerSecond: number | null;
  p99Seconds: number | null;
  errorRatio: number | null;
  restarts: number;
}

export interface TopService extends Figures {
  service: string;
  ready: number;
  desired: number;
  instances: Array<Figures & { service: string; instance: string; state: string; ready: boolean }>;
}

export interface Top {
  stack: string;
  time: number;
  windowMs: number;
  health: number;
  services: TopService[];
}

export interface Alert {
  rule: string;
  state: 'pending' | 'firing' | 'resolved' | string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  fingerprint: string;
  activeAt: number;
  firedAt?: number;
  resolvedAt?: number;
  value: number;
}

export interface AlertRule {
  name: string;
  when: string;
  forMs: number;
  state: 'inactive' | 'pending' | 'firing' | string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  lastEvaluation?: number;
  lastError?: string;
  alerts: Alert[];
}

export interface Alerts {
  intervalMs: number;
  rules: AlertRule[];
}

export interface StackEvent {
  id: number;
  time: number;
  kind: string;
  service?: string;
  instance?: string;
  message: string;
}

export interface OperationEvent {
  seq: number;
  time: number;
  service?: string;
  phase: string;
  message?: string;
  instance?: string;
  logs?: string[];
  ok?: boolean;
}

export interface Operation {
  id: string;
  kind: string;
  startedAt: number;
  done: boolean;
  ok?: boolean;
  events: OperationEvent[];
}

export interface LogLine {
  time: number;
  service: string;
  instance: string;
  stream: 'stdout' | 'stderr';
  text: string;
  level?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  message?: string;
}

export interface SeriesResult {
  labels: Record<string, string>;
  points: Array<{ t: number; v: number }>;
}

export interface QosTerms {
  latency: number;
  success: number;
  load: number;
  health: number;
}

export interface ScoredInstance {
  id: string;
  terms: QosTerms;
  weights: QosTerms;
  score: number;
  latencyEwmaMs?: number;
  successEwma: number;
  inFlight: number;
  requests: number;
  ejectedUntil?: number;
}

export interface Scores {
  service: string;
  strategy: string;
  weights: QosTerms;
  instances: ScoredInstance[];
}

// ---- workflows -------------------------------------------------------------------------

export type RunStatus = 'running' | 'completed' | 'faulted' | 'cancelled' | 'suspended';

export interface WorkflowSummary {
  name: string;
  version: string;
  versions: string[];
  namespace: string;
  title?: string;
  summary?: string;
  createdAt: number;
  origin: 'manifest' | 'api';
}

export interface WorkflowDocument {
  name: string;
  version: string;
  versions: string[];
  namespace: string;
  source: string;
  document: Record<string, unknown>;
}

export interface WorkflowError {
  type: string;
  status: number;
  title?: string;
  detail?: string;
  instance?: string;
}

export interface RunSummary {
  id: string;
  workflow: string;
  version: string;
  status: RunStatus;
  input: unknown;
  output?: unknown;
  error?: WorkflowError;
  createdAt: number;
  updatedAt: number;
  endedAt?: number;
}

export interface TaskRecord {
  key: string;
  pointer: string;
  name: string;
  loop?: number[];
  /** cancelled: interrupted (run cancelled or suspended, a sibling fork branch won) */
  status: 'running' | 'completed' | 'faulted' | 'cancelled';
  startedAt: number;
  endedAt?: number;
  input?: unknown;
  output?: unknown;
  error?: WorkflowError;
  retries?: number;
}

export interface RunDetail extends RunSummary {
  tasks: TaskRecord[];
  position?: { pointer: string; loop?: number[] };
  context: unknown;
}
