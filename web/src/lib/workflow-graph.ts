// A Serverless Workflow document drawn as a flow graph (pure, unit-tested): one node per task,
// with the task's JSON pointer as its id (the same pointer a run's task records carry, so a
// run can colour the graph), edges following the DSL's flow: the next task, `then:` jumps
// (continue, exit, end, or a task of the same list), switch cases, a `do`/`try` entering its
// list, `for` looping over its body, `fork` branches in parallel, and `catch.do` as a dashed
// edge. Nested lists return to the task after their parent.

export interface FlowNode {
  id: string;
  label: string;
  /** the task's kind: call http, switch, for, … */
  type: string;
  kind: 'box' | 'terminal';
}

export interface FlowEdge {
  id: string;
  source: string;
  target: string;
  label?: string;
  dashed?: boolean;
}

export const START = 'start';
export const END = 'end';

type Task = Record<string, unknown>;
type NamedList = Array<Record<string, Task>>;

const TYPES = ['call', 'do', 'emit', 'for', 'fork', 'listen', 'raise', 'run', 'set', 'switch', 'try', 'wait'] as const;

export function taskType(task: Task): string {
  for (const t of TYPES) {
    if (!(t in task)) continue;
    if (t === 'call' && typeof task.call === 'string') return `call ${task.call}`;
    if (t === 'run' && task.run && typeof task.run === 'object') return `run ${Object.keys(task.run as object).find((k) => ['shell', 'script', 'container', 'workflow'].includes(k)) ?? ''}`.trim();
    // `for` tasks also have a `do`
    if (t === 'do' && 'for' in task) continue;
    return t;
  }
  return 'task';
}

function entries(list: unknown): Array<[string, Task]> {
  if (!Array.isArray(list)) return [];
  return (list as NamedList).flatMap((item) => (item && typeof item === 'object' ? Object.entries(item).slice(0, 1) : [])) as Array<[string, Task]>;
}

export function workflowGraph(document: Record<string, unknown>): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const nodes: FlowNode[] = [{ id: START, label: 'start', type: 'start', kind: 'terminal' }];
  const edges: FlowEdge[] = [];
  let n = 0;
  const edge = (source: string, target: string, label?: string, dashed?: boolean) => {
    edges.push({ id: `e${n++}`, source, target, ...(label !== undefined && { label }), ...(dashed && { dashed }) });
  };

  /** Adds the list's tasks; returns the id of its first task (or `after` when empty). */
  const walkList = (list: unknown, pointer: string, after: string): string => {
    const tasks = entries(list);
    if (tasks.length === 0) return after;
    const ids = tasks.map(([name], i) => `${pointer}/${i}/${name}`);
    const byName = new Map(tasks.map(([name], i) => [name, ids[i]]));
    const resolve = (then: unknown, next: string): string => {
      if (then === undefined || then === 'continue') return next;
      if (then === 'exit') return after;
      if (then === 'end') return END;
      return byName.get(String(then)) ?? next;
    };
    tasks.forEach(([name, task], i) => {
      const id = ids[i];
      const next = i + 1 < ids.length ? ids[i + 1] : after;
      walkTask(name, task, id, resolve(task.then, next), resolve);
    });
    return ids[0];
  };

  const walkTask = (name: string, task: Task, id: string, successor: string, resolve: (then: unknown, next: string) => string) => {
    const type = taskType(task);
    nodes.push({ id, label: name, type, kind: 'box' });
    if (type === 'switch') {
      let hasDefault = false;
      for (const [caseName, c] of entries(task.switch)) {
        const when = (c as { when?: unknown }).when;
        if (when === undefined) hasDefault = true;
        edge(id, resolve((c as { then?: unknown }).then, successor), caseName);
      }
      if (!hasDefault) edge(id, successor, 'otherwise', true);
    } else if (type === 'for') {
      const body = walkList(task.do, `${id}/do`, id);
      edge(id, body, 'each');
      edge(id, successor, 'done');
    } else if (type === 'do') {
      edge(id, walkList(task.do, `${id}/do`, successor));
    } else if (type === 'fork') {
      const branches = entries((task.fork as { branches?: unknown } | undefined)?.branches);
      if (branches.length === 0) edge(id, successor);
      branches.forEach(([b, bt], j) => {
        const bid = `${id}/fork/branches/${j}/${b}`;
        walkTask(b, bt, bid, successor, (then, next) => (then === 'end' ? END : next));
        edge(id, bid);
      });
    } else if (type === 'try') {
      edge(id, walkList(task.try, `${id}/try`, successor));
      const recovery = (task.catch as { do?: unknown } | undefined)?.do;
      if (recovery !== undefined) edge(id, walkList(recovery, `${id}/catch/do`, successor), 'catch', true);
    } else if (type === 'raise') {
      edge(id, END, 'fault', true);
    } else {
      edge(id, successor);
    }
  };

  const first = walkList(document.do, '/do', END);
  edge(START, first);
  nodes.push({ id: END, label: 'end', type: 'end', kind: 'terminal' });
  return { nodes, edges: dedupe(edges) };
}

function dedupe(edges: FlowEdge[]): FlowEdge[] {
  const seen = new Set<string>();
  return edges.filter((e) => {
    const k = `${e.source}>${e.target}>${e.label ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
