// Finds every runtime expression of a document and compiles it at load time, so a jq syntax
// error is reported with its pointer before anything runs. Two kinds of places hold them:
// fields the spec types as runtime expressions (always jq, `${ }` optional: `if`, `for.in`,
// `while`, switch `when`, catch/retry `when`/`exceptWhen`, listen `until`, `input.from`,
// `output.as`, `export.as`, correlation `from`), and any other string written `${ … }`.
// Loop and catch variables (`$item`, `$index`, `$error` or the names chosen with
// `each`/`at`/`as`) are in scope only inside their loop or catch.

import { isTuttiError } from '../../core/index.js';
import { EXPRESSION_ARGUMENTS, compileValue, type CompiledValue } from '../expressions/index.js';
import { joinPointer, type Problem } from './source.js';
import { taskTypeOf, type TaskRef } from './task-walk.js';

export interface CompiledExpressions {
  /** pointer of the field → its compiled value, for every field holding at least one expression */
  values: Map<string, CompiledValue>;
  problems: Problem[];
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, fallback: string) => (typeof v === 'string' && v !== '' ? v : fallback);

/** Pointers whose string value is always an expression, and variables added under a pointer. */
function fieldRules(doc: Obj, tasks: TaskRef[]): { always: Set<string>; scopes: Array<[string, string[]]> } {
  const always = new Set<string>(['/input/from', '/output/as']);
  const scopes: Array<[string, string[]]> = [];
  if (isObject(doc.use) && isObject(doc.use.retries)) {
    for (const name of Object.keys(doc.use.retries)) {
      const p = joinPointer('/use/retries', name);
      always.add(`${p}/when`).add(`${p}/exceptWhen`);
    }
  }
  for (const { pointer: p, definition: t } of tasks) {
    for (const f of ['/if', '/input/from', '/output/as', '/export/as']) always.add(p + f);
    const type = taskTypeOf(t);
    if (type === 'for' && isObject(t.for)) {
      always.add(`${p}/for/in`).add(`${p}/while`);
      const vars = [str(t.for.each, 'item'), str(t.for.at, 'index')];
      scopes.push([`${p}/do`, vars], [`${p}/while`, vars]);
    }
    if (type === 'switch' && Array.isArray(t.switch)) {
      t.switch.forEach((c, i) => {
        if (isObject(c)) for (const name of Object.keys(c)) always.add(joinPointer(p, 'switch', i, name, 'when'));
      });
    }
    if (type === 'try' && isObject(t.catch)) {
      for (const f of ['/catch/when', '/catch/exceptWhen', '/catch/retry/when', '/catch/retry/exceptWhen']) always.add(p + f);
      scopes.push([`${p}/catch`, [str(t.catch.as, 'error')]]);
    }
    if (type === 'listen') {
      always.add(`${p}/listen/to/until`);
      if (isObject(t.foreach)) {
        always.add(`${p}/foreach/output/as`).add(`${p}/foreach/export/as`);
        scopes.push([`${p}/foreach`, [str(t.foreach.item, 'item'), str(t.foreach.at, 'index')]]);
      }
    }
  }
  return { always, scopes };
}

/** Subtrees that hold data, not expressions: document metadata, inline JSON schemas, script code. */
function skipped(pointer: string): boolean {
  return pointer === '/document' || /\/metadata$/.test(pointer) || /\/schema\/document$/.test(pointer) || /\/run\/script\/code$/.test(pointer);
}

export function compileExpressions(doc: unknown, tasks: TaskRef[]): CompiledExpressions {
  const values = new Map<string, CompiledValue>();
  const problems: Problem[] = [];
  if (!isObject(doc)) return { values, problems };
  const { always, scopes } = fieldRules(doc, tasks);
  const variablesAt = (pointer: string): string[] => {
    const vars: string[] = [...EXPRESSION_ARGUMENTS];
    for (const [prefix, names] of scopes) if (pointer === prefix || pointer.startsWith(prefix + '/')) vars.push(...names);
    return vars;
  };
  const compileAt = (pointer: string, value: unknown, mode: 'always' | 'marked') => {
    try {
      const compiled = compileValue(value, pointer, { expression: mode, variables: variablesAt(pointer) });
      if (compiled.kind !== 'literal') values.set(pointer, compiled);
    } catch (e) {
      if (!isTuttiError(e)) throw e;
      const details = e.details as { pointer?: string } | undefined;
      problems.push({ pointer: details?.pointer ?? pointer, message: e.message.replace(/^\S+: /, '') });
    }
  };
  const visit = (value: unknown, pointer: string) => {
    if (skipped(pointer)) return;
    if (always.has(pointer) && (typeof value === 'string' || isObject(value))) {
      // mappings at these places are templates: strings inside them need `${ }`
      compileAt(pointer, value, 'always');
      return;
    }
    if (/\/correlate\/[^/]+\/from$/.test(pointer) && typeof value === 'string') {
      compileAt(pointer, value, 'always');
      return;
    }
    if (typeof value === 'string') {
      compileAt(pointer, value, 'marked');
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, joinPointer(pointer, i)));
    } else if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) visit(v, joinPointer(pointer, k));
    }
  };
  visit(doc, '');
  return { values, problems };
}
