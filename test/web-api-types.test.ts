// The dashboard writes out the API's shapes (web/src/api/types.ts) instead of importing the
// server's: it talks to the API only. This file keeps the copies honest at compile time
// (`npm run typecheck` checks test/): every field the dashboard reads exists on the server's
// type, with a type the server's value fits. A test that runs nothing: a mismatch fails the
// type check, not vitest.

import { describe, expect, it } from 'vitest';
import type { InstanceInfo, LogLine as ServerLogLine } from '../src/core/index.js';
import type { ScoredInstance as ServerScoredInstance } from '../src/core/qos/types.js';
import type { OperationEvent as ServerOperationEvent, OperationInfo, ServiceStatus, StackStatus } from '../src/orchestrator/types.js';
import type {
  RunDetail as ServerRunDetail, RunSummary as ServerRunSummary, RunTask, WorkflowSummary as ServerWorkflowSummary,
} from '../src/workflow/service/types.js';
import type {
  Instance, LogLine, Operation, OperationEvent, RunDetail, RunSummary, ScoredInstance, Service, Stack, TaskRecord, WorkflowSummary,
} from '../web/src/api/types.js';

/** true when every key the web type names is a key of the server type and the server's value fits the web's. */
type Mirrors<Server, Web> = [Exclude<keyof Web, keyof Server>] extends [never] ? (Server extends Web ? true : false) : false;

const checks: {
  instance: Mirrors<InstanceInfo, Instance>;
  service: Mirrors<ServiceStatus, Service>;
  stack: Mirrors<StackStatus, Stack>;
  logLine: Mirrors<ServerLogLine, LogLine>;
  operation: Mirrors<OperationInfo, Operation>;
  operationEvent: Mirrors<ServerOperationEvent, OperationEvent>;
  scored: Mirrors<ServerScoredInstance, ScoredInstance>;
  task: Mirrors<RunTask, TaskRecord>;
  run: Mirrors<ServerRunSummary, RunSummary>;
  runDetail: Mirrors<ServerRunDetail, RunDetail>;
  workflow: Mirrors<ServerWorkflowSummary, WorkflowSummary>;
} = {
  instance: true, service: true, stack: true, logLine: true, operation: true, operationEvent: true,
  scored: true, task: true, run: true, runDetail: true, workflow: true,
};

describe('the dashboard\'s copy of the API types', () => {
  it('mirrors the server\'s (checked by the type checker)', () => {
    expect(Object.values(checks).every(Boolean)).toBe(true);
  });
});
