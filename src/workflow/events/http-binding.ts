// The CloudEvents HTTP protocol binding, receiving side
// (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/http-protocol-binding.md):
// structured mode (content-type application/cloudevents+json, the event in the body) and binary
// mode (attributes in ce-* headers, content-type → datacontenttype, the body is the data, parsed
// when its type is JSON). A missing id (UUID) and time (now) are filled in; the result is
// validated like every published event.
//
// Hand-rolled rather than the `cloudevents` SDK's HTTP.toEvent, which (v10) detects binary mode
// by the ce-id header alone (so an event without an id is "no cloud event detected"), replaces an
// unparsable `time` with the current time instead of rejecting it, refuses a structured
// content-type with parameters (`; charset=utf-8`), parses a binary JSON body only when the type
// is exactly application/json, and reports schema failures as one "invalid payload". The SDK's
// own serialisers are used in the tests to check that what it sends is accepted here.

import { TuttiError } from '../../core/errors.js';
import { completeCloudEvent, EVENT_VALIDATION_CODE, validateCloudEvent } from './validate-event.js';
import type { CloudEvent } from './types.js';

export type HttpHeaders = Record<string, string | string[] | undefined>;

const STRUCTURED = 'application/cloudevents';
const BATCH = 'application/cloudevents-batch';

function badRequest(message: string, hint: string, attribute?: string): TuttiError {
  return new TuttiError(EVENT_VALIDATION_CODE, message, { hint, ...(attribute ? { details: { attribute } } : {}) });
}

function header(headers: HttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Header values are percent-encoded for characters outside printable ASCII (binding §3.1.3.2). */
function decodeHeaderValue(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** application/json, text/json and any +json suffix, with or without parameters. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const essence = contentType.split(';')[0].trim().toLowerCase();
  return essence === 'application/json' || essence === 'text/json' || essence.endsWith('+json');
}

function bodyText(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return undefined;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`The ${what} is not valid JSON: ${(e as Error).message}.`, 'Send a JSON body, or another content-type for binary data.');
  }
}

function structured(body: unknown): Record<string, unknown> {
  const text = bodyText(body);
  const value = text !== undefined ? parseJson(text, 'structured-mode body (content-type application/cloudevents+json)') : body;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('A structured-mode CloudEvent must be a JSON object.', 'Send the event as one object; batches (application/cloudevents-batch+json) are not accepted.');
  }
  return value as Record<string, unknown>;
}

function binary(headers: HttpHeaders, body: unknown, contentType: string | undefined): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('ce-') || value === undefined) continue;
    event[lower.slice(3)] = decodeHeaderValue(Array.isArray(value) ? value.join(',') : value);
  }
  if (contentType) event.datacontenttype = contentType;
  const text = bodyText(body);
  if (text !== undefined && text !== '') {
    if (isJsonMediaType(contentType)) event.data = parseJson(text, `body (content-type ${contentType})`);
    else if (!contentType || /^text\/|xml/i.test(contentType)) event.data = text;
    else event.data_base64 = Buffer.from(body as Uint8Array | string).toString('base64');
  } else if (text === undefined && body !== undefined && body !== null) {
    // a framework that already parsed the JSON body hands its value
    event.data = body;
  }
  return event;
}

/**
 * Reads one CloudEvent from an HTTP request (header names in any case; body as a string, a Buffer
 * or an already parsed JSON value). Throws a TuttiError naming the missing or invalid attribute.
 */
export function parseHttpCloudEvent(headers: HttpHeaders, body: unknown, now: () => number = Date.now): CloudEvent {
  const lower: HttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  const contentType = header(lower, 'content-type')?.trim();
  const type = contentType?.toLowerCase() ?? '';
  let raw: Record<string, unknown>;
  if (type.startsWith(BATCH)) {
    throw badRequest('Batched CloudEvents (application/cloudevents-batch+json) are not accepted.', 'Send one event per request.');
  } else if (type.startsWith(STRUCTURED)) {
    if (!/^application\/cloudevents\+json\b/.test(type)) {
      throw badRequest(`The structured event format ${JSON.stringify(contentType)} is not supported.`, 'Use application/cloudevents+json.');
    }
    raw = structured(body);
  } else if (Object.keys(lower).some((k) => k.startsWith('ce-'))) {
    raw = binary(lower, body, contentType);
  } else {
    throw badRequest(
      'The request carries no CloudEvent.',
      'Send content-type application/cloudevents+json with the event as the body (structured mode), or the attributes as ce-specversion, ce-type, ce-source (and ce-id) headers with the data as the body (binary mode).',
    );
  }
  return validateCloudEvent(completeCloudEvent(raw, now));
}
