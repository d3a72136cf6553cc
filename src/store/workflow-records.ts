// The persistence contract of workflows: deployed definitions (several versions of one name) and
// runs with their latest state. The store sits below the workflow layer, so a run's state is an
// opaque JSON object here (the engine's RunState), stored whole and returned as it was put —
// as the registry's records are.

export type WorkflowRunStatus = 'running' | 'completed' | 'faulted' | 'cancelled' | 'suspended';

/** statuses a run never leaves; reaching one stamps endedAt */
export const TERMINAL_RUN_STATUSES: readonly WorkflowRunStatus[] = ['completed', 'faulted', 'cancelled'];

export interface WorkflowDefinitionRecord {
  name: string;
  version: string;
  /** the text as deployed (YAML or JSON), kept to show it back as written */
  source: string;
  /** the parsed document */
  document: Record<string, unknown>;
  /** ms since epoch */
  createdAt: number;
}

export interface NewWorkflowDefinition extends Omit<WorkflowDefinitionRecord, 'createdAt'> {
  /** default now */
  createdAt?: number;
}

export interface NewWorkflowRun {
  id: string;
  workflow: string;
  version: string;
  input: unknown;
  /** the first state (opaque; the engine's RunState) */
  state: object;
  /** default 'running' */
  status?: WorkflowRunStatus;
  /** default now */
  createdAt?: number;
  /** when the first write is already a later state (the journal creates a run with its latest) */
  output?: unknown;
  error?: unknown;
  /** default createdAt */
  updatedAt?: number;
}

/** One run's latest state, as the journal writes it after transitions. */
export interface WorkflowRunUpdate {
  id: string;
  status: WorkflowRunStatus;
  /** serialised when saveRunStates is called, so the caller may go on mutating it afterwards */
  state: object;
  output?: unknown;
  error?: unknown;
  /** ms since epoch */
  updatedAt: number;
}

export interface WorkflowRunRecord {
  id: string;
  workflow: string;
  version: string;
  status: WorkflowRunStatus;
  input: unknown;
  output?: unknown;
  error?: unknown;
  state: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  /** set when the run first reached completed, faulted or cancelled */
  endedAt?: number;
}

/** A run in a listing: everything but its state. */
export type WorkflowRunSummary = Omit<WorkflowRunRecord, 'state'>;

export interface WorkflowRunQuery {
  workflow?: string;
  status?: WorkflowRunStatus;
  /** created at or after (ms since epoch) */
  since?: number;
  /** created before (ms since epoch) */
  until?: number;
  /** default 100, at most 1000 */
  limit?: number;
  /** the `next` cursor of the previous page */
  before?: string;
}

export interface WorkflowRunPage {
  /** newest first */
  runs: WorkflowRunSummary[];
  /** present when more runs may follow: pass it as `before` */
  next?: string;
}

export interface WorkflowRepository {
  /** Stores a definition; putting the same name and version again is a no-op when the source is
   *  the same and a TUTTI_E_CONFLICT otherwise (runs keep the version they started with). */
  putDefinition(def: NewWorkflowDefinition): Promise<void>;
  /** one version, or the latest deployed (newest createdAt) when no version is given */
  getDefinition(name: string, version?: string): Promise<WorkflowDefinitionRecord | undefined>;
  /** every version of every definition (or of one name), by name, newest version first */
  listDefinitions(name?: string): Promise<WorkflowDefinitionRecord[]>;
  /** TUTTI_E_CONFLICT when the id exists */
  createRun(run: NewWorkflowRun): Promise<void>;
  /** Creates `create` and then applies `updates`, all in one transaction (group commit). One bad
   *  row does not fail the batch: a creation whose id exists is skipped (`duplicates`) and an
   *  update of an unknown run changes nothing (`missing`), so the caller can report them. */
  saveRunStates(updates: WorkflowRunUpdate[], create?: NewWorkflowRun[]): Promise<{ missing: string[]; duplicates: string[] }>;
  getRun(id: string): Promise<WorkflowRunRecord | undefined>;
  listRuns(query?: WorkflowRunQuery): Promise<WorkflowRunPage>;
  /** runs still running or suspended, with their state, oldest first (to resume at start) */
  listUnfinishedRuns(): Promise<WorkflowRunRecord[]>;
}

export const DEFAULT_RUN_LIMIT = 100;
export const MAX_RUN_LIMIT = 1000;
