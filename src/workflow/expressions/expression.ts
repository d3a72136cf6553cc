// Runtime expressions: jq programs compiled once (at definition load) and evaluated many times,
// with the spec's arguments ($context, $input, …) bound as jq variables on every evaluation.
//
// libjq binds `--arg` variables at compile time, so per-evaluation values cannot go through
// jq_compile_args. Instead the program is wrapped as
//   . as [$__tutti_input, $context, $input] | $__tutti_input | (EXPRESSION)
// and each evaluation feeds one JSON array: the input and the values of the variables the
// expression actually mentions (found by scanning its text), nothing else. An expression that
// mentions none runs unwrapped on its input.

import { TuttiError } from '../../core/index.js';
import { expressionError } from '../errors.js';
import { JqEngine } from './jq-engine.js';

/** The spec's runtime expression arguments; `secret` and `secrets` are both accepted spellings. */
export const EXPRESSION_ARGUMENTS = ['context', 'input', 'output', 'secret', 'secrets', 'task', 'workflow', 'runtime', 'authorization'] as const;

/** Values of the expression variables, keyed with their `$`: { $context, $input, $item, … } */
export type ExpressionArguments = Readonly<Record<`$${string}`, unknown>>;

export interface CompiledExpression {
  /** the jq text, without `${ }` */
  readonly source: string;
  /** JSON pointer of the node it came from; the `instance` of the errors it raises */
  readonly pointer: string;
  /** the variables it mentions, in the order they are bound */
  readonly variables: readonly string[];
}

interface Holder {
  state: number;
  generation: number;
}

interface Internal extends CompiledExpression {
  readonly program: string;
  readonly holder: Holder;
}

let engine: JqEngine | undefined;
let generation = 0;

const released = new FinalizationRegistry<Holder>((holder) => {
  if (engine && !engine.broken && holder.generation === generation) engine.teardown(holder.state);
});

/** The shared libjq instance; replaced (and every program recompiled lazily) after a trap. */
function jq(): JqEngine {
  if (!engine || engine.broken) {
    engine = new JqEngine();
    generation++;
  }
  return engine;
}

const VARIABLE = /\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** `${ .a }` → `.a`; text without the markers is returned trimmed. */
export function stripExpressionMarkers(text: string): string {
  const t = text.trim();
  return t.startsWith('${') && t.endsWith('}') ? t.slice(2, -1).trim() : t;
}

function cleanCompileMessage(stderr: string, multiline: boolean): string {
  const errors = stderr
    .split('\n')
    .filter((l) => l.startsWith('jq: error'))
    .map((l) => l.replace(/^jq: error: /, '').replace(/ \(Unix shell quoting issues\?\)/, '').replace(/:$/, ''))
    .map((l) => (multiline ? l.replace(/ at <top-level>, (line \d+)/, ' ($1)') : l.replace(/ at <top-level>, line \d+/, '')));
  return errors.length > 0 ? errors.join('; ') : stderr.trim() || 'it does not compile';
}

/**
 * Compiles a jq expression (with or without `${ }`). `variables` lists the names the
 * expression may use at its place in the definition (default: the spec's arguments); any other
 * `$name` is a compile error, as in jq. Throws TUTTI_E_BAD_REQUEST naming `pointer`.
 */
export function compileExpression(text: string, pointer: string, opts: { variables?: readonly string[] } = {}): CompiledExpression {
  const source = stripExpressionMarkers(text);
  const allowed = new Set<string>(opts.variables ?? EXPRESSION_ARGUMENTS);
  const variables: string[] = [];
  for (const m of source.matchAll(VARIABLE)) {
    if (allowed.has(m[1]) && !variables.includes(m[1])) variables.push(m[1]);
  }
  const program = variables.length === 0
    ? source
    : `. as [$__tutti_input${variables.map((v) => `, $${v}`).join('')}] | $__tutti_input | (${source}\n)`;
  if (source === '') {
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `${pointer}: the runtime expression is empty.`, {
      hint: 'Write a jq filter between ${ and }, for example ${ .order.id }.',
      details: { pointer, expression: text },
    });
  }
  const result = jq().compile(program);
  if (!result.ok) {
    const reason = cleanCompileMessage(result.message, source.includes('\n'));
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `${pointer}: invalid jq expression ${JSON.stringify(shorten(source))}: ${reason}.`, {
      hint: 'Check the jq syntax (https://jqlang.github.io/jq/manual/); variables available here: ' + [...allowed].map((v) => `$${v}`).join(', ') + '.',
      details: { pointer, expression: source, reason },
    });
  }
  const holder: Holder = { state: result.state, generation };
  const expr: Internal = { source, pointer, variables, program, holder };
  released.register(expr, holder);
  return expr;
}

function shorten(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 60 ? `${one.slice(0, 57)}…` : one;
}

function json(value: unknown): string {
  return value === undefined ? 'null' : (JSON.stringify(value) ?? 'null');
}

/**
 * Evaluates a compiled expression on `input`. jq yields a stream: no output gives null, one
 * output gives that value, several give an array of them (as the Java reference runtime does).
 * A jq error throws a WorkflowError of type `expression` (status 400, instance = pointer).
 */
export function evaluate(expr: CompiledExpression, input: unknown, args: ExpressionArguments = {}): unknown {
  const e = expr as Internal;
  const engine = jq();
  if (e.holder.generation !== generation) {
    const again = engine.compile(e.program);
    if (!again.ok) throw expressionError(e.pointer, `the expression no longer compiles: ${again.message.trim()}`);
    e.holder.state = again.state;
    e.holder.generation = generation;
  }
  let text: string;
  try {
    text = e.variables.length === 0 ? json(input) : `[${json(input)}${e.variables.map((v) => ',' + argumentJson(args, v)).join('')}]`;
  } catch (err) {
    throw expressionError(e.pointer, `its input cannot be turned into JSON: ${(err as Error).message}`);
  }
  let result;
  try {
    result = engine.run(e.holder.state, text);
  } catch (err) {
    // the wasm instance trapped (out of memory, assertion): it is replaced on the next call
    throw expressionError(e.pointer, `jq aborted while evaluating ${JSON.stringify(shorten(e.source))}: ${(err as Error).message}`);
  }
  if (!result.ok) throw expressionError(e.pointer, `${result.message} (evaluating ${JSON.stringify(shorten(e.source))})`);
  const outs = result.outputs;
  if (outs.length === 0) return null;
  if (outs.length === 1) return JSON.parse(outs[0]);
  return outs.map((o) => JSON.parse(o) as unknown);
}

// $workflow (which holds the whole definition), $runtime and $secrets are built once per run
// and never mutated: their JSON is kept per object instead of being rebuilt on every evaluation
// (a `${ $workflow.input.id }` would otherwise serialise the definition each time).
const STABLE_ARGUMENTS = new Set(['workflow', 'runtime', 'secret', 'secrets']);
const stableJson = new WeakMap<object, string>();

function argumentJson(args: ExpressionArguments, name: string): string {
  const value = argument(args, name);
  if (!STABLE_ARGUMENTS.has(name) || typeof value !== 'object' || value === null) return json(value);
  let text = stableJson.get(value);
  if (text === undefined) {
    text = json(value);
    stableJson.set(value, text);
  }
  return text;
}

function argument(args: ExpressionArguments, name: string): unknown {
  const key = `$${name}` as const;
  if (key in args) return args[key];
  // one map of secrets under either spelling
  if (name === 'secrets') return args.$secret;
  if (name === 'secret') return args.$secrets;
  return undefined;
}
