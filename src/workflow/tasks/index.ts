// Task implementations, one file per task type; the engine picks one by the task's type.

import type { TaskNode } from '../definition/index.js';
import { notSupported } from '../engine/faults.js';
import type { TaskExecutor } from '../engine/types.js';
import { callHttpTask } from './call-http.js';
import { doTask } from './do.js';
import { emitTask } from './emit.js';
import { forTask } from './for.js';
import { forkTask } from './fork.js';
import { raiseTask } from './raise.js';
import { setTask } from './set.js';
import { switchTask } from './switch.js';
import { tryTask } from './try.js';
import { waitTask } from './wait.js';
import { runTask } from './run.js';
import { listenTask } from './listen.js';
import { callOpenApiTask } from './call-openapi.js';
import { callGrpcTask } from './call-grpc.js';
import { callFunctionTask } from './call-function.js';

const unsupported = (what: string): TaskExecutor => (task) => Promise.reject(notSupported(task.pointer, what));

export function executorFor(task: TaskNode): TaskExecutor {
  switch (task.type) {
    case 'set': return setTask;
    case 'do': return doTask;
    case 'switch': return switchTask;
    case 'for': return forTask;
    case 'try': return tryTask;
    case 'raise': return raiseTask;
    case 'wait': return waitTask;
    case 'fork': return forkTask;
    case 'emit': return emitTask;
    case 'call': {
      const kind = task.definition.call;
      if (kind === 'http') return callHttpTask;
      if (kind === 'openapi') return callOpenApiTask;
      if (kind === 'grpc') return callGrpcTask;
      if (typeof kind === 'string' && ['asyncapi', 'a2a', 'mcp'].includes(kind)) return unsupported(`call: ${kind}`);
      // a name from use.functions (catalog and URL functions are refused at load time)
      return callFunctionTask;
    }
    case 'listen': return listenTask;
    case 'run': return runTask;
  }
}
