// Strings where the schema wants a number or a boolean are converted, as docker compose does
// after interpolation: `replicas: ${REPLICAS:-2}` yields the text "2", meant as the number 2.
// Only unambiguous places are touched (the schema accepts no string there).

type JsonSchema = {
  type?: string;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  patternProperties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  const?: unknown;
  enum?: unknown[];
};

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

function jsonTypes(schema: JsonSchema): Set<string> {
  if (schema.anyOf) return new Set(schema.anyOf.flatMap((s) => [...jsonTypes(s)]));
  return new Set(schema.type ? [schema.type] : []);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A copy of `data` with numeric/boolean text converted where `schema` accepts no string. */
export function coerceScalars(data: unknown, schema: object): unknown {
  const s = schema as JsonSchema;
  if (s.anyOf) {
    const t = typeOf(data);
    const branch = s.anyOf.find((b) => jsonTypes(b).has(t) || (t === 'number' && jsonTypes(b).has('integer')));
    if (branch) return coerceScalars(data, branch);
  }
  const types = jsonTypes(s);
  if (typeof data === 'string' && types.size > 0 && !types.has('string')) {
    const text = data.trim();
    if ((types.has('number') || types.has('integer')) && NUMBER.test(text)) return Number(text);
    if (types.has('boolean') && /^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
    return data;
  }
  if (Array.isArray(data)) return s.items ? data.map((item) => coerceScalars(item, s.items!)) : data;
  if (data !== null && typeof data === 'object') {
    // fromEntries defines properties, so a `__proto__` key stays a plain key
    return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, coerceScalars(value, propertySchema(s, key) ?? {})]));
  }
  return data;
}

function propertySchema(s: JsonSchema, key: string): JsonSchema | undefined {
  if (s.properties && Object.hasOwn(s.properties, key)) return s.properties[key];
  for (const [pattern, sub] of Object.entries(s.patternProperties ?? {})) {
    if (new RegExp(pattern, 'u').test(key)) return sub;
  }
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}
