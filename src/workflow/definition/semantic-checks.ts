// Checks the schema cannot express: flow directives that name a missing task, duplicate task
// names in one list, references to undeclared reusable components, and features this runtime
// does not run (or runs only when the server allows them).

import { joinPointer, type Problem } from './source.js';
import { taskTypeOf, type TaskRef } from './task-walk.js';

export interface AllowRun {
  shell?: boolean;
  script?: boolean;
}

export interface SemanticProblem extends Problem {
  hint?: string;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const FLOW_KEYWORDS = new Set(['continue', 'exit', 'end']);
const CALL_KINDS_NOT_SUPPORTED: Record<string, string> = {
  asyncapi: 'not supported: call: asyncapi (AsyncAPI calls are not implemented by this runtime)',
  a2a: 'not supported: call: a2a (agent-to-agent calls are not implemented by this runtime)',
  mcp: 'not supported: call: mcp (Model Context Protocol calls are not implemented by this runtime)',
};
const CALL_KINDS = new Set(['http', 'grpc', 'openapi', 'asyncapi', 'a2a', 'mcp']);

function keysOf(doc: Obj, section: string): Set<string> {
  const use = isObject(doc.use) ? doc.use : {};
  const group = use[section];
  return new Set(isObject(group) ? Object.keys(group) : []);
}

export function checkSemantics(doc: unknown, tasks: TaskRef[], allowRun: AllowRun = {}): SemanticProblem[] {
  if (!isObject(doc)) return [];
  const problems: SemanticProblem[] = [];
  const functions = keysOf(doc, 'functions');
  const retries = keysOf(doc, 'retries');
  const errors = keysOf(doc, 'errors');
  const authentications = keysOf(doc, 'authentications');

  // names per list, for duplicates and for `then`
  const lists = new Map<string, TaskRef[]>();
  for (const t of tasks) {
    if (!t.list) continue;
    const siblings = lists.get(t.list.pointer) ?? [];
    const first = siblings.find((s) => s.name === t.name);
    if (first) problems.push({ pointer: t.pointer, message: `duplicate task name "${t.name}" in this list (first at ${first.pointer})`, hint: 'Give every task of one list its own name: `then` and error instances refer to tasks by name.' });
    siblings.push(t);
    lists.set(t.list.pointer, siblings);
  }
  const checkThen = (task: TaskRef, target: unknown, pointer: string) => {
    if (typeof target !== 'string' || FLOW_KEYWORDS.has(target) || !task.list) return;
    const siblings = lists.get(task.list.pointer) ?? [];
    if (!siblings.some((s) => s.name === target)) {
      const names = siblings.map((s) => s.name);
      problems.push({ pointer, message: `"then: ${target}" names no task of this list (tasks here: ${names.join(', ')})`, hint: 'A flow directive is continue, exit, end or the name of a task in the same list.' });
    }
  };

  for (const task of tasks) {
    const t = task.definition;
    const p = task.pointer;
    checkThen(task, t.then, `${p}/then`);
    const type = taskTypeOf(t);
    if (type === 'switch' && Array.isArray(t.switch)) {
      t.switch.forEach((c, i) => {
        if (!isObject(c)) return;
        for (const [name, rule] of Object.entries(c)) if (isObject(rule)) checkThen(task, rule.then, joinPointer(p, 'switch', i, name, 'then'));
      });
    }
    if (type === 'call' && typeof t.call === 'string') {
      const reason = CALL_KINDS_NOT_SUPPORTED[t.call];
      if (reason) problems.push({ pointer: `${p}/call`, message: reason });
      else if (!CALL_KINDS.has(t.call)) {
        if (t.call.includes('@') || /^[a-z][a-z0-9+.-]*:\/\//i.test(t.call)) {
          // resolving these means fetching definitions from elsewhere when the workflow loads
          problems.push({ pointer: `${p}/call`, message: `not supported: functions from catalogs or URLs ("${t.call.length > 50 ? t.call.slice(0, 47) + '…' : t.call}")`, hint: 'Copy the function definition under use.functions and call it by name.' });
        } else if (!functions.has(t.call)) {
          problems.push({ pointer: `${p}/call`, message: `calls function "${t.call}", which use.functions does not declare`, hint: 'Declare it under use.functions, or use one of the call kinds http, grpc or openapi.' });
        }
      }
    }
    if (type === 'run' && isObject(t.run)) {
      if ('container' in t.run) {
        problems.push({ pointer: `${p}/run/container`, message: 'not supported: run.container on the process runtime (it cannot start containers)', hint: 'Run the program as a service of the stack and call it, or use run.shell where the server allows it.' });
      }
      for (const kind of ['shell', 'script'] as const) {
        if (kind in t.run && !allowRun[kind]) {
          problems.push({ pointer: `${p}/run/${kind}`, message: `run.${kind} is not allowed on this server`, hint: `run.${kind} executes arbitrary code on the control plane; start the server with ${kind} tasks allowed (allowRun.${kind}) to accept it.` });
        }
      }
    }
    if (type === 'raise' && isObject(t.raise) && typeof t.raise.error === 'string' && !errors.has(t.raise.error)) {
      problems.push({ pointer: `${p}/raise/error`, message: `raises error "${t.raise.error}", which use.errors does not declare` });
    }
    if (type === 'try' && isObject(t.catch) && typeof t.catch.retry === 'string' && !retries.has(t.catch.retry)) {
      problems.push({ pointer: `${p}/catch/retry`, message: `uses retry policy "${t.catch.retry}", which use.retries does not declare` });
    }
  }
  // `authentication: { use: name }` anywhere
  const visit = (value: unknown, pointer: string) => {
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, joinPointer(pointer, i)));
    else if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        const at = joinPointer(pointer, k);
        if (k === 'authentication' && isObject(v) && typeof v.use === 'string' && !authentications.has(v.use)) {
          problems.push({ pointer: `${at}/use`, message: `uses authentication "${v.use}", which use.authentications does not declare` });
        }
        visit(v, at);
      }
    }
  };
  visit(doc.do, '/do');
  visit(isObject(doc.use) ? doc.use.functions : undefined, '/use/functions');
  return problems;
}
