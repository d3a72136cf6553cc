// The input form of a workflow run, from the definition's `input.schema` (pure): the simple
// fields of an object schema (strings, numbers, integers, booleans, enums) when it has only
// those, and a starting JSON document otherwise (defaults and examples filled in).

export interface InputField {
  name: string;
  type: 'string' | 'number' | 'integer' | 'boolean';
  required: boolean;
  enum?: Array<string | number>;
  description?: string;
  default?: unknown;
}

type Schema = Record<string, unknown>;

export function inputSchema(document: Record<string, unknown>): Schema | undefined {
  const schema = (document.input as { schema?: { format?: string; document?: unknown } } | undefined)?.schema;
  if (!schema || (schema.format && !String(schema.format).startsWith('json'))) return undefined;
  return schema.document && typeof schema.document === 'object' ? (schema.document as Schema) : undefined;
}

/** Fields for a flat object schema; undefined when the input needs the JSON editor. */
export function inputFields(schema: Schema | undefined): InputField[] | undefined {
  if (!schema || schema.type !== 'object' || typeof schema.properties !== 'object' || schema.properties === null) return undefined;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const fields: InputField[] = [];
  for (const [name, p] of Object.entries(schema.properties as Record<string, Schema>)) {
    const type = p.type;
    if (type !== 'string' && type !== 'number' && type !== 'integer' && type !== 'boolean') return undefined;
    fields.push({
      name,
      type,
      required: required.has(name),
      ...(Array.isArray(p.enum) && { enum: p.enum as Array<string | number> }),
      ...(typeof p.description === 'string' && { description: p.description }),
      ...(p.default !== undefined && { default: p.default }),
    });
  }
  return fields;
}

/** A starting value for the JSON editor. */
export function sampleInput(schema: Schema | undefined): unknown {
  if (!schema) return {};
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, p] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) out[k] = sampleInput(p);
      return out;
    }
    case 'array':
      return [sampleInput(schema.items as Schema | undefined)].filter((x) => x !== undefined && !(typeof x === 'object' && x !== null && Object.keys(x).length === 0));
    case 'string':
      return Array.isArray(schema.enum) ? schema.enum[0] : '';
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    default:
      return {};
  }
}

/** The form's text values as the run's input; throws naming the field that is wrong. */
export function fieldsToInput(fields: InputField[], values: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const raw = (values[f.name] ?? '').trim();
    if (raw === '') {
      if (f.required) throw new Error(`${f.name} is required`);
      continue;
    }
    if (f.type === 'string') out[f.name] = raw;
    else if (f.type === 'boolean') out[f.name] = raw === 'true';
    else {
      const n = Number(raw);
      if (!Number.isFinite(n) || (f.type === 'integer' && !Number.isInteger(n))) throw new Error(`${f.name} must be ${f.type === 'integer' ? 'a whole number' : 'a number'}`);
      out[f.name] = n;
    }
  }
  return out;
}
