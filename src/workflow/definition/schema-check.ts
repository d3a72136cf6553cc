// Validation against the official Serverless Workflow JSON Schema (draft 2020-12, Ajv), with
// Ajv's cascades condensed into one sentence per problem. A task is a oneOf of twelve task
// types (and `call` a oneOf of call kinds), so a single typo yields dozens of errors from the
// branches the author never meant; we pick the branch from the task's own keys and validate the
// task against that branch alone, each nested task on its own.

import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { workflowSchema } from './workflow-schema.js';
import { joinPointer, type Problem } from './source.js';
import { describeValue } from './describe.js';
import { schemaBranchOf, taskListsOf, type TaskRef } from './task-walk.js';

const SCHEMA_ID = String(workflowSchema.$id);

let ajv: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction>();

function validator(fragment: string): ValidateFunction {
  let v = validators.get(fragment);
  if (!v) {
    if (!ajv) {
      ajv = new Ajv2020({ allErrors: true, verbose: true, strict: false });
      const plugin = (addFormats as unknown as { default?: typeof addFormats }).default ?? addFormats;
      (plugin as unknown as (a: Ajv2020) => void)(ajv);
      ajv.addSchema(workflowSchema);
    }
    v = ajv.getSchema(`${SCHEMA_ID}#${fragment}`);
    if (!v) throw new Error(`schema fragment ${fragment} not found`);
    validators.set(fragment, v);
  }
  return v;
}

/** Schema problems of a whole document, [] when it conforms. */
export function checkSchema(doc: unknown, tasks: TaskRef[]): Problem[] {
  const validate = validator('');
  if (validate(doc)) return [];
  // errors inside tasks are taken from the per-task validations below
  const top = (validate.errors ?? []).filter((e) => !tasks.some((t) => within(e.instancePath, t.pointer)));
  const problems = condense(top, '');
  for (const task of tasks) problems.push(...checkTask(task));
  // a task valid against its own branch but not the union (it matches two branches, say)
  return problems.length > 0 ? problems : condense(validate.errors ?? [], '');
}

function within(path: string, pointer: string): boolean {
  return path === pointer || path.startsWith(pointer + '/');
}

function checkTask(task: TaskRef): Problem[] {
  const branch = schemaBranchOf(task.definition);
  if (typeof branch !== 'string') return [{ pointer: task.pointer, message: branch.problem }];
  const validate = validator(branch);
  if (validate(task.definition)) return [];
  const nested = taskListsOf(task.definition).map((l) => l.pointer);
  const errors = (validate.errors ?? []).filter((e) => !nested.some((list) => /^\/\d+\/[^/]+/.test(rest(e.instancePath, list))));
  return condense(errors, task.pointer);
}

function rest(path: string, prefix: string): string {
  return path.startsWith(prefix + '/') ? path.slice(prefix.length) : '';
}

type Schema = Record<string, unknown>;

/**
 * One problem per mistake: a failed union whose value has deeper errors is explained by those
 * deeper errors; a failed union with none becomes "expected A or B"; the rest become sentences.
 */
function condense(errors: ErrorObject[], base: string): Problem[] {
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath));
  const hasDeeper = (path: string) => errors.some((e) => e.instancePath.startsWith(path + '/'));
  const out: Problem[] = [];
  const seen = new Set<string>();
  const add = (pointer: string, message: string) => {
    const key = `${pointer}\u0000${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ pointer, message });
    }
  };
  for (const e of errors) {
    const pointer = base + e.instancePath;
    if (unionPaths.has(e.instancePath)) {
      if (hasDeeper(e.instancePath)) continue;
      const here = errors.filter((x) => x.instancePath === e.instancePath);
      // the branch whose type fits the value failed for another reason (minProperties, enum…): say that
      const union = here.find((u) => u.keyword === 'oneOf' || u.keyword === 'anyOf')!;
      const branches = (union.schema as Schema[]).length;
      const typeMismatches = here.filter((x) => x.keyword === 'type').length;
      const precise = here.filter((x) => !['type', 'oneOf', 'anyOf', 'const', 'not', 'required', 'unevaluatedProperties'].includes(x.keyword));
      if (precise.length > 0 && typeMismatches < branches) {
        if (precise.includes(e)) {
          const message = sentence(e);
          if (message) add(pointer, message.text);
        }
        continue;
      }
      add(pointer, `expected ${describeUnion(union.schema as Schema[], union.parentSchema as Schema)}, got ${describeValue(union.data)}`);
      continue;
    }
    const message = sentence(e);
    if (message) add(message.key ? joinPointer(pointer, message.key) : pointer, message.text);
  }
  return out;
}

function sentence(e: ErrorObject): { text: string; key?: string } | undefined {
  const params = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as Schema;
  switch (e.keyword) {
    case 'required':
      return { text: `missing required property "${String(params.missingProperty)}"` };
    case 'unevaluatedProperties':
    case 'additionalProperties': {
      const key = String(params.unevaluatedProperty ?? params.additionalProperty);
      const known = Object.keys((parent.properties as Schema | undefined) ?? {});
      const hint = known.length > 0 && known.length <= 12 ? ` (expected one of ${known.join(', ')})` : '';
      return { text: `unknown property "${key}"${hint}`, key };
    }
    case 'type':
      return { text: `expected ${describeSchema(parent)}, got ${describeValue(e.data)}` };
    case 'enum':
      return { text: `expected one of ${(parent.enum as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(e.data)}` };
    case 'const':
      return { text: `expected ${JSON.stringify(parent.const)}, got ${describeValue(e.data)}` };
    case 'pattern':
      return { text: `${describeValue(e.data)} does not match the expected pattern ${String(params.pattern)}` };
    case 'format':
      return { text: `${describeValue(e.data)} is not a valid ${String(params.format)}` };
    case 'minProperties':
    case 'maxProperties':
      return { text: `expected a mapping with ${e.keyword === 'minProperties' ? 'at least' : 'at most'} ${String(params.limit)} entr${params.limit === 1 ? 'y' : 'ies'}, got ${describeValue(e.data)}` };
    case 'oneOf':
    case 'anyOf':
    case 'if':
    case 'not':
      return undefined;
    default:
      return { text: `${e.message ?? 'is invalid'}` };
  }
}

const DEF_WORDS: Record<string, string> = {
  flowDirective: '"continue", "exit", "end" or the name of a task',
  runtimeExpression: 'a runtime expression "${ … }"',
  duration: 'a duration (an ISO 8601 text such as PT5S, or a mapping such as { seconds: 5 })',
  uriTemplate: 'a URI',
  endpoint: 'a URI or an endpoint mapping { uri: … }',
  schema: 'a schema mapping',
  error: 'an error mapping { type, status, … }',
  export: 'an export mapping { as: … }',
  input: 'an input mapping { from: … }',
  output: 'an output mapping { as: … }',
  timeout: 'a timeout mapping { after: … }',
  retryPolicy: 'a retry policy mapping',
  authenticationPolicy: 'an authentication policy mapping',
  referenceableAuthenticationPolicy: 'an authentication policy or a { use: name } reference',
  externalResource: 'a resource mapping { endpoint: … }',
};

function describeUnion(branches: Schema[], parent?: Schema): string {
  const title = typeof parent?.title === 'string' ? parent.title[0].toLowerCase() + parent.title.slice(1) : '';
  if (DEF_WORDS[title]) return DEF_WORDS[title];
  const words = [...new Set(branches.map(describeSchema))];
  return words.length <= 1 ? (words[0] ?? 'a valid value') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

function describeSchema(schema: Schema): string {
  const ref = typeof schema.$ref === 'string' ? schema.$ref.replace('#/$defs/', '') : undefined;
  if (ref) return DEF_WORDS[ref] ?? `a ${ref}`;
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf)) return describeUnion((schema.oneOf ?? schema.anyOf) as Schema[]);
  const title = typeof schema.title === 'string' ? ` (${schema.title})` : '';
  switch (schema.type) {
    case 'string': return typeof schema.pattern === 'string' && schema.pattern.includes('\\$\\{') ? DEF_WORDS.runtimeExpression : 'a string';
    case 'integer': return 'an integer';
    case 'number': return 'a number';
    case 'boolean': return 'a boolean';
    case 'array': return 'a list';
    case 'object': return `a mapping${title}`;
    default: return title ? title.slice(2, -1) : 'a valid value';
  }
}
