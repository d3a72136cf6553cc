// Validation of a manifest against its JSON Schema (Ajv, all errors), with Ajv's errors turned
// into sentences a person can act on: where (path, line, column), what was expected, what was
// found, and the nearest valid name for a misspelt key or value.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { DURATION_PATTERN } from '../duration.js';
import { SIZE_PATTERN } from '../size.js';
import { COMPOSE_CONDITIONS, CPU_PATTERN, MEMORY_PATTERN, HTTP_PATH_PATTERN, SERVICE_NAME_PATTERN, STACK_NAME_PATTERN, manifestSchema } from './schema.js';
import { describeValue, problemAt, suggest, type ManifestProblem } from './problems.js';
import { formatPath, type ManifestPath, type YamlSource } from './yaml-source.js';

interface Schema {
  type?: string;
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  minItems?: number;
  minimum?: number;
  maximum?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
}

let validator: ValidateFunction | undefined;

function compiled(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: true }).compile(manifestSchema);
  return validator;
}

/** Every schema violation in `data`, located in the YAML source; [] when valid. */
export function validateAgainstSchema(data: unknown, src: YamlSource): ManifestProblem[] {
  const validate = compiled();
  if (validate(data)) return [];
  return condense(validate.errors ?? []).flatMap((e) => toProblem(e, src));
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function accepts(schema: Schema, type: string): boolean {
  if (schema.anyOf) return schema.anyOf.some((s) => accepts(s, type));
  return schema.type === type || (schema.type === 'integer' && type === 'number');
}

/**
 * Ajv reports a failed `anyOf` as the failure of every alternative. When the value's type
 * picks one alternative, keep only that alternative's errors (they are the precise ones);
 * otherwise replace them all by one "expected A or B" error.
 */
function condense(errors: ErrorObject[]): ErrorObject[] {
  const removed = new Set<ErrorObject>();
  const added: ErrorObject[] = [];
  const unions = errors.filter((e) => e.keyword === 'anyOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const union of unions) {
    if (removed.has(union)) continue;
    removed.add(union);
    const prefix = `${union.schemaPath}/`;
    const within = (path: string) => path === union.instancePath || path.startsWith(`${union.instancePath}/`);
    const inside = errors.filter((e) => !removed.has(e) && e.schemaPath.startsWith(prefix) && within(e.instancePath));
    const branches = union.schema as Schema[];
    const type = jsonType(union.data);
    const matching = branches.map((b, i) => (accepts(b, type) ? i : -1)).filter((i) => i >= 0);
    if (matching.length === 1) {
      const keep = `${prefix}${matching[0]}/`;
      for (const e of inside) if (!e.schemaPath.startsWith(keep)) removed.add(e);
    } else {
      for (const e of inside) removed.add(e);
      added.push({ ...union, keyword: 'type' });
    }
  }
  return [...errors.filter((e) => !removed.has(e)), ...added];
}

function pathOf(instancePath: string): ManifestPath {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
}

function where(path: ManifestPath): string {
  return path.length === 0 ? 'at the top level' : `in ${formatPath(path)}`;
}

function toProblem(e: ErrorObject, src: YamlSource): ManifestProblem[] {
  const path = pathOf(e.instancePath);
  const parent = e.parentSchema as Schema;
  const name = formatPath(path) || 'the manifest';
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(parent.properties ?? {});
      return [problemAt(src, [...path, key], `unknown key "${key}" ${where(path)}`, { key: true, suggestion: suggest(key, known) })];
    }
    case 'required': {
      const key = (e.params as { missingProperty: string }).missingProperty;
      return [problemAt(src, path, `missing required key "${key}" ${where(path)}`)];
    }
    case 'propertyNames':
      return []; // reported by the inner error, which names the key
    case 'enum': {
      const values = (parent.enum ?? []) as string[];
      const hint = typeof e.data === 'string' ? suggest(e.data, values) : undefined;
      return [problemAt(src, path, `${name}: expected ${describe(parent)}, got ${describeValue(e.data)}`, { suggestion: hint })];
    }
    default: {
      const propertyName = (e as { propertyName?: string }).propertyName;
      if (propertyName !== undefined) {
        const what = e.schemaPath.startsWith('#/properties/services/') ? 'service name' : 'key';
        const expected = e.keyword === 'pattern' ? describePattern(String(e.schema)) : 'a valid name';
        return [problemAt(src, [...path, propertyName], `invalid ${what} "${propertyName}" ${where(path)}: expected ${expected}`, { key: true })];
      }
      if (path.length === 0 && e.keyword === 'type') {
        return [problemAt(src, path, `the manifest must be a mapping with at least name: and services:, got ${describeValue(e.data)}`)];
      }
      return [problemAt(src, path, `${name}: expected ${describe(parent)}, got ${describeValue(e.data)}`)];
    }
  }
}

function joinOr(parts: string[]): string {
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}

function describePattern(pattern: string): string {
  switch (pattern) {
    case DURATION_PATTERN: return 'a duration such as 500ms, 2s, 1m or 1m30s';
    case SIZE_PATTERN: return 'a size such as 10MB, 512KiB or 1G';
    case MEMORY_PATTERN: return 'a size such as 256Mi, 512MB or 1G';
    case CPU_PATTERN: return 'cores (0.5, 2) or thousandths of a core (250m)';
    case HTTP_PATH_PATTERN: return 'a path starting with /';
    case STACK_NAME_PATTERN: return 'lowercase letters, digits, - and _';
    case SERVICE_NAME_PATTERN: return 'lowercase letters, digits, - and _, starting with a letter';
    default: return `text matching /${pattern}/`;
  }
}

/** What a schema accepts, in words ("an integer from 0 to 65535"). */
export function describe(schema: Schema): string {
  if (schema.anyOf) {
    const patterned = schema.anyOf.find((s) => s.pattern === DURATION_PATTERN || s.pattern === SIZE_PATTERN || s.pattern === MEMORY_PATTERN);
    if (patterned) return `${describePattern(patterned.pattern!)} (or a number of ${patterned.pattern === DURATION_PATTERN ? 'milliseconds' : 'bytes'})`;
    const cpu = schema.anyOf.find((s) => s.pattern === CPU_PATTERN);
    if (cpu) return describePattern(CPU_PATTERN);
    return joinOr(schema.anyOf.map(describe));
  }
  if (schema.enum) {
    const values = schema.enum.map(String).filter((v) => !Object.hasOwn(COMPOSE_CONDITIONS, v)); // aliases go unadvertised
    if (values.every((v) => v.startsWith('SIG'))) return 'a signal name such as SIGTERM, SIGINT or SIGQUIT';
    return `one of ${joinOr(values)}`;
  }
  if ('const' in schema) return JSON.stringify(schema.const);
  switch (schema.type) {
    case 'string':
      if (schema.pattern) return describePattern(schema.pattern);
      return schema.minLength ? 'a non-empty string' : 'a string';
    case 'integer':
    case 'number': {
      const noun = schema.type === 'integer' ? 'an integer' : 'a number';
      if (schema.minimum !== undefined && schema.maximum !== undefined) return `${noun} from ${schema.minimum} to ${schema.maximum}`;
      if (schema.minimum !== undefined) return `${noun} ≥ ${schema.minimum}`;
      return noun;
    }
    case 'boolean': return 'a boolean';
    case 'null': return 'null';
    case 'array': {
      const of = schema.items?.type === 'string' ? ' of strings' : '';
      return schema.minItems ? `a non-empty list${of}` : `a list${of}`;
    }
    case 'object': return 'a mapping';
    default: return 'a valid value';
  }
}
