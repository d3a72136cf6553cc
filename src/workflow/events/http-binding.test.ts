import { CloudEvent as SdkEvent, HTTP } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { parseHttpCloudEvent, isJsonMediaType } from './http-binding.js';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const now = () => NOW;

describe('parseHttpCloudEvent: structured mode', () => {
  it('reads the event from a JSON body (string, Buffer or parsed), content-type with parameters', () => {
    const event = { specversion: '1.0', id: 'e1', source: 'https://shop.example/orders', type: 'order.placed', time: '2026-01-01T00:00:00Z', data: { total: 3 } };
    for (const body of [JSON.stringify(event), Buffer.from(JSON.stringify(event)), event]) {
      expect(parseHttpCloudEvent({ 'Content-Type': 'application/cloudevents+json; charset=utf-8' }, body, now)).toEqual(event);
    }
  });

  it('fills a missing id (a UUID) and time (now)', () => {
    const e = parseHttpCloudEvent({ 'content-type': 'application/cloudevents+json' }, '{"specversion":"1.0","source":"/s","type":"t"}', now);
    expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.time).toBe('2026-01-02T03:04:05.000Z');
  });

  it('names the missing attribute, rejects bad JSON, batches and other formats', () => {
    const h = { 'content-type': 'application/cloudevents+json' };
    expect(() => parseHttpCloudEvent(h, '{"specversion":"1.0","source":"/s"}', now)).toThrow('CloudEvent attribute "type" is required.');
    expect(() => parseHttpCloudEvent(h, '{"specversion":"1.0","type":"t"}', now)).toThrow('"source" is required');
    expect(() => parseHttpCloudEvent(h, '{"type":"t","source":"/s"}', now)).toThrow('"specversion" is required');
    expect(() => parseHttpCloudEvent(h, '{"specversion":"1.0","type":"t","source":"/s","time":"soon"}', now)).toThrow('"time" must be an RFC 3339 timestamp');
    expect(() => parseHttpCloudEvent(h, '{oops', now)).toThrow(/not valid JSON/);
    expect(() => parseHttpCloudEvent(h, '[1]', now)).toThrow(/must be a JSON object/);
    expect(() => parseHttpCloudEvent({ 'content-type': 'application/cloudevents-batch+json' }, '[]', now)).toThrow(/Batched CloudEvents/);
    expect(() => parseHttpCloudEvent({ 'content-type': 'application/cloudevents+avro' }, 'x', now)).toThrow(/not supported/);
  });
});

describe('parseHttpCloudEvent: binary mode', () => {
  it('reads ce-* headers as attributes, content-type as datacontenttype, a JSON body as data', () => {
    const e = parseHttpCloudEvent(
      { 'ce-specversion': '1.0', 'ce-id': 'b1', 'ce-source': '/sensors/7', 'ce-type': 'reading', 'ce-time': '2026-01-01T00:00:00Z', 'CE-TraceParent': 'abc', 'content-type': 'application/json; charset=utf-8' },
      '{"celsius":21.5}',
      now,
    );
    expect(e).toEqual({ specversion: '1.0', id: 'b1', source: '/sensors/7', type: 'reading', time: '2026-01-01T00:00:00Z', traceparent: 'abc', datacontenttype: 'application/json; charset=utf-8', data: { celsius: 21.5 } });
  });

  it('keeps text as a string and other bytes as data_base64; decodes percent-encoded header values', () => {
    const base = { 'ce-specversion': '1.0', 'ce-source': '/s', 'ce-type': 't' };
    expect(parseHttpCloudEvent({ ...base, 'content-type': 'text/plain' }, 'hello', now).data).toBe('hello');
    const bin = parseHttpCloudEvent({ ...base, 'content-type': 'application/octet-stream' }, Buffer.from([0, 255]), now);
    expect(bin.data_base64).toBe('AP8=');
    expect(bin.data).toBeUndefined();
    expect(parseHttpCloudEvent({ ...base, 'ce-subject': 'caf%C3%A9' }, undefined, now).subject).toBe('café');
  });

  it('fills id and time, and names a missing ce- attribute', () => {
    const e = parseHttpCloudEvent({ 'ce-specversion': '1.0', 'ce-source': '/s', 'ce-type': 't' }, '', now);
    expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.time).toBe('2026-01-02T03:04:05.000Z');
    expect(() => parseHttpCloudEvent({ 'ce-specversion': '1.0', 'ce-type': 't' }, '', now)).toThrow('"source" is required');
    expect(() => parseHttpCloudEvent({ 'ce-specversion': '1.0', 'ce-source': '/s', 'ce-type': 't', 'content-type': 'application/json' }, '{bad', now)).toThrow(/body \(content-type application\/json\) is not valid JSON/);
  });

  it('says how to send an event when the request carries none', () => {
    expect(() => parseHttpCloudEvent({ 'content-type': 'application/json' }, '{}', now)).toThrow(/carries no CloudEvent/);
  });
});

describe('interoperability with the cloudevents SDK', () => {
  const sdkEvent = new SdkEvent({ id: 'sdk-1', source: 'https://example.com/sdk', type: 'com.example.sdk', time: '2026-01-01T00:00:00.000Z', subject: 'x', myext: 'v', data: { a: [1, 2] } });

  it('accepts what HTTP.binary sends', () => {
    const msg = HTTP.binary(sdkEvent);
    const e = parseHttpCloudEvent(msg.headers, msg.body, now);
    expect(e).toMatchObject({ specversion: '1.0', id: 'sdk-1', source: 'https://example.com/sdk', type: 'com.example.sdk', subject: 'x', myext: 'v', data: { a: [1, 2] } });
    expect(Date.parse(e.time!)).toBe(Date.parse('2026-01-01T00:00:00.000Z'));
  });

  it('accepts what HTTP.structured sends', () => {
    const msg = HTTP.structured(sdkEvent);
    const e = parseHttpCloudEvent(msg.headers, msg.body, now);
    expect(e).toMatchObject({ id: 'sdk-1', type: 'com.example.sdk', myext: 'v', data: { a: [1, 2] } });
  });
});

it('isJsonMediaType', () => {
  expect(['application/json', 'application/json; charset=utf-8', 'application/vnd.api+json', 'TEXT/JSON'].every(isJsonMediaType)).toBe(true);
  expect(['text/plain', 'application/octet-stream', undefined].some(isJsonMediaType)).toBe(false);
});
