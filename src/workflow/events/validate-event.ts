// CloudEvents 1.0 validation (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md):
// the required context attributes, the optional ones' formats and the extension naming rule.
// Every rejection names the attribute, so `POST /api/v1/events` can answer a 400 that says
// what to fix. Returns a normalised copy: the bus never keeps the caller's object.

import { randomUUID } from 'node:crypto';
import { TuttiError, type ErrorCode } from '../../core/errors.js';
import type { CloudEvent } from './types.js';

/** The code a malformed event is rejected with (400). */
export const EVENT_VALIDATION_CODE: ErrorCode = 'TUTTI_E_BAD_REQUEST';

const REQUIRED = ['specversion', 'id', 'source', 'type'] as const;
const OPTIONAL_STRINGS = ['subject', 'datacontenttype', 'dataschema', 'time', 'data_base64'] as const;
const KNOWN = new Set<string>([...REQUIRED, ...OPTIONAL_STRINGS, 'data']);
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
/** RFC 3339 date-time (upper or lower case T and Z, as the RFC allows) */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
/** RFC 3986 URI-reference: no spaces, controls or characters that must be escaped */
const URI_REFERENCE = /^[^\s<>"{}|\\^`\u0000-\u001f\u007f]+$/;
const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?:\s*;.*)?$/;

function invalid(attribute: string, message: string, hint?: string): TuttiError {
  return new TuttiError(EVENT_VALIDATION_CODE, `CloudEvent attribute "${attribute}" ${message}.`, {
    hint: hint ?? 'A CloudEvent 1.0 needs specversion "1.0", id, source (a URI-reference) and type; see https://cloudevents.io.',
    details: { attribute },
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `time` is an RFC 3339 timestamp that names a real instant. */
export function isRfc3339(time: string): boolean {
  return RFC3339.test(time) && !Number.isNaN(Date.parse(time.toUpperCase()));
}

/**
 * Checks a CloudEvent in its JSON form and returns a deep copy of it. Attributes set to null
 * are treated as absent (the JSON format allows that). Throws a TuttiError naming the first bad
 * attribute.
 */
export function validateCloudEvent(value: unknown): CloudEvent {
  if (!isObject(value)) throw new TuttiError(EVENT_VALIDATION_CODE, 'A CloudEvent must be a JSON object.', { hint: 'Send the event as an object with specversion, id, source and type.' });
  const event: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) event[k] = v;
  for (const name of REQUIRED) {
    const v = event[name];
    if (v === undefined) throw invalid(name, 'is required');
    if (typeof v !== 'string' || v === '') throw invalid(name, `must be a non-empty string (got ${JSON.stringify(v)})`);
  }
  if (event.specversion !== '1.0') throw invalid('specversion', `must be "1.0" (got ${JSON.stringify(event.specversion)})`, 'Only CloudEvents 1.0 is accepted.');
  if (!URI_REFERENCE.test(event.source as string)) throw invalid('source', `must be a URI-reference (got ${JSON.stringify(event.source)})`, 'For example https://example.com/orders or /orders/service.');
  for (const name of OPTIONAL_STRINGS) {
    const v = event[name];
    if (v !== undefined && (typeof v !== 'string' || v === '')) throw invalid(name, `must be a non-empty string (got ${JSON.stringify(v)})`);
  }
  if (event.time !== undefined && !isRfc3339(event.time as string)) {
    throw invalid('time', `must be an RFC 3339 timestamp (got ${JSON.stringify(event.time)})`, 'For example 2026-01-31T12:00:00Z.');
  }
  if (event.dataschema !== undefined && !URL.canParse(event.dataschema as string)) throw invalid('dataschema', `must be an absolute URI (got ${JSON.stringify(event.dataschema)})`);
  if (event.datacontenttype !== undefined && !MEDIA_TYPE.test(event.datacontenttype as string)) {
    throw invalid('datacontenttype', `must be a media type such as application/json (got ${JSON.stringify(event.datacontenttype)})`);
  }
  if (event.data !== undefined && event.data_base64 !== undefined) throw invalid('data_base64', 'cannot be given together with data');
  for (const [name, v] of Object.entries(event)) {
    if (KNOWN.has(name)) continue;
    if (!EXTENSION_NAME.test(name)) {
      throw invalid(name, 'is not a valid extension name', 'Extension attribute names are 1 to 20 lower-case letters (a-z) or digits.');
    }
    if (!['string', 'number', 'boolean'].includes(typeof v)) {
      throw invalid(name, `must be a string, a number or a boolean (got ${Array.isArray(v) ? 'an array' : typeof v})`, 'CloudEvents extension values are scalars; put structured values in data.');
    }
    if (typeof v === 'number' && !Number.isInteger(v)) throw invalid(name, `must be an integer when it is a number (got ${v})`);
  }
  return structuredClone(event) as CloudEvent;
}

/** Fills what a sender may leave out: `id` (a UUID) and `time` (now). */
export function completeCloudEvent(value: Record<string, unknown>, now: () => number = Date.now): Record<string, unknown> {
  const out = { ...value };
  if (out.id === undefined || out.id === null || out.id === '') out.id = randomUUID();
  if (out.time === undefined || out.time === null || out.time === '') out.time = new Date(now()).toISOString();
  return out;
}
