// `input.schema` / `output.schema` / `export.schema` (format json, inline document): validated
// with Ajv; a mismatch is the spec's validation error (dsl.md "Data Flow").

import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { ErrorTypes, WorkflowError } from '../errors.js';

let ajv: Ajv2020 | undefined;
const cache = new WeakMap<object, ValidateFunction>();

export function validateSchema(schema: unknown, value: unknown, instance: string, what: string): void {
  const s = schema as { format?: string; document?: unknown; resource?: unknown };
  if (typeof s !== 'object' || s === null || typeof s.document !== 'object' || s.document === null) return; // external schemas: not fetched
  if (s.format && !/^json/i.test(s.format)) return;
  ajv ??= new Ajv2020({ allErrors: true, strict: false });
  let validate = cache.get(s.document);
  if (!validate) {
    validate = ajv.compile(s.document as object);
    cache.set(s.document, validate);
  }
  if (validate(value)) return;
  const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
  throw new WorkflowError({ type: ErrorTypes.validation, status: 400, title: 'Validation failed', detail: `the ${what} does not match its schema: ${problems}.`, instance });
}
