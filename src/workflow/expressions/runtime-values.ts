// Values that may hold runtime expressions (dsl.md "Runtime expressions", strict mode): a string
// `${ … }` is an expression, any other string a literal, and mappings and lists are evaluated
// member by member. Fields the spec types as expressions (`if`, `when`, `input.from`, …) are
// compiled with `expression: 'always'`, so `.a == 1` works there without `${ }`.

import { compileExpression, evaluate, type CompiledExpression, type ExpressionArguments } from './expression.js';

export type CompiledValue =
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'expression'; readonly expression: CompiledExpression }
  | { readonly kind: 'object'; readonly entries: ReadonlyArray<readonly [string, CompiledValue]> }
  | { readonly kind: 'array'; readonly items: readonly CompiledValue[] };

const MARKED = /^\s*\$\{[\s\S]*\}\s*$/;

/** Whether a string is a runtime expression in strict mode: `${ … }` and nothing around it. */
export function isRuntimeExpression(value: unknown): value is string {
  return typeof value === 'string' && MARKED.test(value);
}

function escape(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export interface CompileValueOptions {
  /** 'always': a string at the top is jq even without `${ }` (nested strings never are) */
  expression?: 'always' | 'marked';
  variables?: readonly string[];
}

/** Compiles every expression inside `value`; subtrees without any stay one literal. */
export function compileValue(value: unknown, pointer: string, opts: CompileValueOptions = {}): CompiledValue {
  if (typeof value === 'string') {
    if (opts.expression === 'always' || isRuntimeExpression(value)) {
      return { kind: 'expression', expression: compileExpression(value, pointer, { variables: opts.variables }) };
    }
    return { kind: 'literal', value };
  }
  const nested = { variables: opts.variables };
  if (Array.isArray(value)) {
    const items = value.map((v, i) => compileValue(v, `${pointer}/${i}`, nested));
    return items.every((i) => i.kind === 'literal') ? { kind: 'literal', value } : { kind: 'array', items };
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => [k, compileValue(v, `${pointer}/${escape(k)}`, nested)] as const);
    return entries.every(([, v]) => v.kind === 'literal') ? { kind: 'literal', value } : { kind: 'object', entries };
  }
  return { kind: 'literal', value };
}

/** The value with every expression replaced by its result. Literals are returned as they are: do not mutate them. */
export function evaluateValue(compiled: CompiledValue, input: unknown, args: ExpressionArguments = {}): unknown {
  switch (compiled.kind) {
    case 'literal':
      return compiled.value;
    case 'expression':
      return evaluate(compiled.expression, input, args);
    case 'array':
      return compiled.items.map((item) => evaluateValue(item, input, args));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, item] of compiled.entries) out[key] = evaluateValue(item, input, args);
      return out;
    }
  }
}

/** Every compiled expression inside a value, e.g. to list them. */
export function expressionsIn(compiled: CompiledValue): CompiledExpression[] {
  switch (compiled.kind) {
    case 'literal': return [];
    case 'expression': return [compiled.expression];
    case 'array': return compiled.items.flatMap(expressionsIn);
    case 'object': return compiled.entries.flatMap(([, v]) => expressionsIn(v));
  }
}
