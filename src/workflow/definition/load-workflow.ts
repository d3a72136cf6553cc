// Loads a workflow document: parse (YAML or JSON) → official schema → checks the schema cannot
// make → every runtime expression compiled. Any problem rejects the whole document with one
// TuttiError whose message names the JSON pointer and line:column of each bad node.

import { TuttiError } from '../../core/index.js';
import { checkSchema } from './schema-check.js';
import { checkSemantics, type AllowRun, type SemanticProblem } from './semantic-checks.js';
import { compileExpressions } from './expression-fields.js';
import { parsePointer, parseSource, type LocatedProblem, type WorkflowSource } from './source.js';
import { taskListsOf, taskTypeOf, walkTasks, type TaskRef, type TaskType } from './task-walk.js';
import type { TaskList, TaskNode, WorkflowDefinition, WorkflowDocumentInfo } from './types.js';
import type { CompiledValue } from '../expressions/index.js';

export interface LoadWorkflowOptions {
  /** named in messages, e.g. workflows/place-order.yaml */
  file?: string;
  /** `run.shell` / `run.script` execute code on the control plane: off unless allowed */
  allowRun?: AllowRun;
}

export interface WorkflowProblem extends LocatedProblem {
  hint?: string;
}

export function loadWorkflow(source: string, opts: LoadWorkflowOptions = {}): WorkflowDefinition {
  const label = opts.file ?? 'workflow';
  const parsed = parseSource(source);
  if (!parsed.ok) fail(label, parsed.problems, 'Check the indentation and quoting on that line (YAML indents with spaces, never tabs).');
  const src = parsed.source;
  const doc = src.value;
  const tasks = walkTasks(doc);
  const schemaProblems = checkSchema(doc, tasks);
  // unsupported features first: a document using one is rejected for that reason, whatever else
  const semantic = checkSemantics(doc, tasks, opts.allowRun);
  const unsupported = semantic.filter((p) => p.message.startsWith('not supported'));
  let problems: SemanticProblem[] = [...unsupported, ...schemaProblems];
  if (problems.length === 0) problems = semantic;
  const compiled = problems.length === 0 ? compileExpressions(doc, tasks) : undefined;
  if (compiled) problems = compiled.problems;
  if (problems.length > 0) fail(label, locateAll(src, problems));
  return build(doc as Record<string, unknown>, tasks, compiled!.values);
}

function locateAll(src: WorkflowSource, problems: SemanticProblem[]): WorkflowProblem[] {
  return problems.map((p) => {
    const key = /unknown property/.test(p.message);
    return { ...src.locate(p.pointer, { key }), ...p };
  });
}

/** `place-order.yaml:12:9 /do/1/charge/with: missing required property "endpoint".` */
export function formatProblem(label: string, p: LocatedProblem): string {
  const sentence = p.message.endsWith('.') ? p.message : `${p.message}.`;
  return `${label}:${p.line}:${p.column} ${p.pointer || '/'}: ${sentence}`;
}

function fail(label: string, problems: WorkflowProblem[], hint?: string): never {
  const sorted = [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
  const first = problems[0]; // the most telling problem comes first (unsupported features, then schema order)
  const more = sorted.length > 1 ? ` (and ${sorted.length - 1} more problem${sorted.length > 2 ? 's' : ''})` : '';
  throw new TuttiError('TUTTI_E_BAD_REQUEST', `${formatProblem(label, first)}${more}`, {
    hint: first.hint ?? hint ?? 'Fix the workflow document at that place; the Serverless Workflow DSL 1.0 reference describes each field.',
    details: { file: label, problems: sorted.map((p) => ({ ...p, text: formatProblem(label, p) })) },
  });
}

function build(doc: Record<string, unknown>, refs: TaskRef[], values: Map<string, CompiledValue>): WorkflowDefinition {
  const byPointer = new Map(refs.map((r) => [r.pointer, r]));
  const listOf = (pointer: string, items: unknown[]): TaskList => {
    const tasks: TaskNode[] = [];
    items.forEach((item, i) => {
      const [name] = Object.keys(item as object);
      const ref = byPointer.get(`${pointer}/${i}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      if (ref) tasks.push(node(ref));
    });
    return { pointer, tasks, index: new Map(tasks.map((t, i) => [t.name, i])) };
  };
  const node = (ref: TaskRef): TaskNode => {
    const lists: Record<string, TaskList> = {};
    for (const l of taskListsOf(ref.definition)) lists[l.pointer] = listOf(ref.pointer + l.pointer, l.items);
    return { name: ref.name, pointer: ref.pointer, type: taskTypeOf(ref.definition) as TaskType, definition: ref.definition, lists };
  };
  const functions = new Map<string, TaskNode>();
  for (const ref of refs) if (!ref.list) functions.set(ref.name, node(ref));
  const d = doc.document as Record<string, unknown>;
  const info: WorkflowDocumentInfo = {
    dsl: String(d.dsl),
    namespace: String(d.namespace),
    name: String(d.name),
    version: String(d.version),
    ...(typeof d.title === 'string' ? { title: d.title } : {}),
    ...(typeof d.summary === 'string' ? { summary: d.summary } : {}),
    ...(d.tags ? { tags: d.tags as Record<string, string> } : {}),
    ...(d.metadata ? { metadata: d.metadata as Record<string, unknown> } : {}),
  };
  return {
    document: info,
    raw: doc,
    do: listOf('/do', doc.do as unknown[]),
    functions,
    values,
    valueAt: fieldValues(doc, values),
  };
}

/**
 * The compiled value of any field: its own entry when it is an expression, a tree rebuilt
 * around the expressions below it otherwise (memoised), else the raw value as a literal.
 */
function fieldValues(doc: Record<string, unknown>, values: Map<string, CompiledValue>): (pointer: string) => CompiledValue {
  const holders = new Set<string>();
  for (const p of values.keys()) {
    const parts = parsePointer(p);
    for (let i = 0; i < parts.length; i++) holders.add(i === 0 ? '' : '/' + parts.slice(0, i).map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/'));
  }
  const memo = new Map<string, CompiledValue>();
  const assemble = (value: unknown, pointer: string): CompiledValue => {
    const own = values.get(pointer);
    if (own) return own;
    if (!holders.has(pointer) || typeof value !== 'object' || value === null) return { kind: 'literal', value };
    const child = (k: string | number) => `${pointer}/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (Array.isArray(value)) return { kind: 'array', items: value.map((v, i) => assemble(v, child(i))) };
    return { kind: 'object', entries: Object.entries(value).map(([k, v]) => [k, assemble(v, child(k))] as const) };
  };
  return (pointer) => {
    let out = memo.get(pointer);
    if (!out) {
      let value: unknown = doc;
      for (const seg of parsePointer(pointer)) value = (value as Record<string, unknown> | undefined)?.[seg];
      out = assemble(value, pointer);
      memo.set(pointer, out);
    }
    return out;
  };
}
