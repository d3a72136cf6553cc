// Table shapes as Kysely sees them. Column names are snake_case in the database and mapped to
// the camelCase records of store.ts by the repositories; JSON is stored as text so both
// dialects read it the same way.

import type { ColumnType, Generated } from 'kysely';

/** ms since epoch; PostgreSQL's bigint arrives as a string, so reads accept both */
type Millis = ColumnType<number | string, number, number>;

export interface StackTable {
  id: number;               // always 1: one stack per control plane
  spec: string;             // StackSpec as JSON
  applied_at: Millis;
}

export interface ServicesTable {
  name: string;
  replicas: number;
  stopped: number;          // 0 | 1, portable across dialects
  endpoint_port: number | null;
  updated_at: Millis;
}

export interface InstancesTable {
  id: string;
  service: string;
  data: string;             // driver-specific JSON
  updated_at: Millis;
}

export interface EventsTable {
  id: Generated<number | string>;
  time: Millis;
  kind: string;
  service: string | null;
  instance: string | null;
  message: string;
}

export interface RegistryInstancesTable {
  id: string;
  service: string;
  data: string;             // the registration (RegistryInstance of src/registry) as JSON
  updated_at: Millis;
}

export interface MetaTable {
  key: string;
  value: string;
  updated_at: Millis;
}

export interface WorkflowDefinitionsTable {
  name: string;
  version: string;
  source: string;           // as deployed (YAML or JSON)
  document: string;         // the parsed document as JSON
  created_at: Millis;
}

export interface WorkflowRunsTable {
  id: string;
  workflow: string;
  version: string;
  status: string;           // WorkflowRunStatus
  input: string;            // JSON
  output: string | null;    // JSON
  error: string | null;     // JSON
  state: string;            // the engine's RunState as JSON
  created_at: Millis;
  updated_at: Millis;
  ended_at: ColumnType<number | string | null, number | null, number | null>;
}

export interface Database {
  stack: StackTable;
  services: ServicesTable;
  instances: InstancesTable;
  events: EventsTable;
  registry_instances: RegistryInstancesTable;
  meta: MetaTable;
  workflow_definitions: WorkflowDefinitionsTable;
  workflow_runs: WorkflowRunsTable;
}

export type Dialect = 'sqlite' | 'postgres';
