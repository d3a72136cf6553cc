// Persistence of the control plane's state through Kysely: SQLite by default.
export type {
  Store,
  StoreOptions,
  StoredStack,
  ServiceRecord,
  NewEvent,
  StoredEvent,
  EventQuery,
  StackRepository,
  ServiceRepository,
  EventRepository,
  RegistryRecord,
  RegistryRepository,
  MetaRepository,
} from './store.js';
export type {
  WorkflowRepository,
  WorkflowRunStatus,
  WorkflowDefinitionRecord,
  NewWorkflowDefinition,
  NewWorkflowRun,
  WorkflowRunUpdate,
  WorkflowRunRecord,
  WorkflowRunSummary,
  WorkflowRunQuery,
  WorkflowRunPage,
} from './workflow-records.js';
export { TERMINAL_RUN_STATUSES, DEFAULT_RUN_LIMIT, MAX_RUN_LIMIT } from './workflow-records.js';
export { DEFAULT_EVENT_RETENTION, DEFAULT_EVENT_LIMIT } from './store.js';
export { openSqliteStore } from './sqlite-store.js';
export { KyselyStore } from './kysely-store.js';
export { migrations, migrateToLatest } from './migrations/index.js';
export type { Database, Dialect } from './schema.js';
