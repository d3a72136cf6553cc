import { describe, expect, it } from 'vitest';
import { isTuttiError } from '../../core/errors.js';
import { createEventBus } from './event-bus.js';
import { validateCloudEvent } from './validate-event.js';
import type { CloudEvent, PublishedEvent } from './types.js';

const ev = (id: string, extra: Record<string, unknown> = {}): CloudEvent => ({ specversion: '1.0', id, source: '/test', type: 'com.example.ping', ...extra });

/** lets queued microtasks (replays) run */
const settle = () => new Promise((r) => setImmediate(r));

describe('validateCloudEvent', () => {
  const bad: Array<[string, unknown, string]> = [
    ['not an object', 'x', 'must be a JSON object'],
    ['no specversion', { id: '1', source: '/s', type: 't' }, '"specversion" is required'],
    ['wrong specversion', { specversion: '0.3', id: '1', source: '/s', type: 't' }, '"specversion" must be "1.0"'],
    ['no id', { specversion: '1.0', source: '/s', type: 't' }, '"id" is required'],
    ['empty id', { specversion: '1.0', id: '', source: '/s', type: 't' }, '"id" must be a non-empty string'],
    ['no source', { specversion: '1.0', id: '1', type: 't' }, '"source" is required'],
    ['source with spaces', { specversion: '1.0', id: '1', source: 'not a uri', type: 't' }, '"source" must be a URI-reference'],
    ['no type', { specversion: '1.0', id: '1', source: '/s' }, '"type" is required'],
    ['numeric type', { specversion: '1.0', id: '1', source: '/s', type: 5 }, '"type" must be a non-empty string'],
    ['bad time', { specversion: '1.0', id: '1', source: '/s', type: 't', time: 'yesterday' }, '"time" must be an RFC 3339 timestamp'],
    ['time without zone', { specversion: '1.0', id: '1', source: '/s', type: 't', time: '2026-01-01T10:00:00' }, '"time" must be an RFC 3339'],
    ['impossible date', { specversion: '1.0', id: '1', source: '/s', type: 't', time: '2026-13-45T10:00:00Z' }, '"time" must be an RFC 3339'],
    ['relative dataschema', { specversion: '1.0', id: '1', source: '/s', type: 't', dataschema: 'schema.json' }, '"dataschema" must be an absolute URI'],
    ['bad datacontenttype', { specversion: '1.0', id: '1', source: '/s', type: 't', datacontenttype: 'json' }, '"datacontenttype" must be a media type'],
    ['upper-case extension', { specversion: '1.0', id: '1', source: '/s', type: 't', traceId: 'x' }, '"traceId" is not a valid extension name'],
    ['long extension name', { specversion: '1.0', id: '1', source: '/s', type: 't', abcdefghijklmnopqrstu: 'x' }, 'is not a valid extension name'],
    ['object extension', { specversion: '1.0', id: '1', source: '/s', type: 't', trace: { a: 1 } }, '"trace" must be a string, a number or a boolean'],
    ['data and data_base64', { specversion: '1.0', id: '1', source: '/s', type: 't', data: 1, data_base64: 'AA==' }, '"data_base64" cannot be given together with data'],
  ];
  it.each(bad)('rejects %s, naming the attribute', (_name, value, message) => {
    let error: unknown;
    try {
      validateCloudEvent(value);
    } catch (e) {
      error = e;
    }
    expect(isTuttiError(error)).toBe(true);
    expect((error as Error).message).toContain(message);
  });

  it('accepts a complete event and returns a copy without null attributes', () => {
    const input = { ...ev('1'), time: '2026-01-31T12:00:00.123+01:00', subject: null, datacontenttype: 'application/json; charset=utf-8', dataschema: 'https://example.com/s.json', traceparent: 'x', priority: 3, urgent: true, data: { a: [1] } };
    const out = validateCloudEvent(input);
    expect(out).toEqual({ ...ev('1'), time: '2026-01-31T12:00:00.123+01:00', datacontenttype: 'application/json; charset=utf-8', dataschema: 'https://example.com/s.json', traceparent: 'x', priority: 3, urgent: true, data: { a: [1] } });
    expect(out.data).not.toBe(input.data);
  });
});

describe('createEventBus', () => {
  it('numbers events, delivers them in order to matching subscribers, and stops after unsubscribe', async () => {
    const bus = createEventBus({ now: () => Date.UTC(2026, 0, 1) });
    const all: number[] = [];
    const pings: string[] = [];
    const offAll = bus.subscribe(() => true, (e) => all.push(e.seq));
    bus.subscribe((e) => e.type === 'com.example.ping', (e) => pings.push(e.event.id));
    const a = await bus.publish(ev('a'));
    await bus.publish(ev('b', { type: 'com.example.other' }));
    offAll();
    await bus.publish(ev('c'));
    expect(a.seq).toBe(1);
    expect(a.event.time).toBe('2026-01-01T00:00:00.000Z');
    expect(bus.seq).toBe(3);
    expect(all).toEqual([1, 2]);
    expect(pings).toEqual(['a', 'c']);
    expect(bus.subscribers).toBe(1);
  });

  it('rejects a malformed event and delivers nothing', async () => {
    const bus = createEventBus();
    const got: PublishedEvent[] = [];
    bus.subscribe(() => true, (e) => got.push(e));
    await expect(bus.publish({ ...ev('x'), source: '' })).rejects.toThrow(/"source" must be a non-empty string/);
    expect(got).toEqual([]);
    expect(bus.seq).toBe(0);
  });

  it('replays kept events after afterSeq to a late subscriber, then live ones, in order', async () => {
    const bus = createEventBus({ keep: 4 });
    for (const id of ['1', '2', '3', '4', '5']) await bus.publish(ev(id));
    const got: string[] = [];
    bus.subscribe(() => true, (e) => got.push(e.event.id), 1);
    expect(got).toEqual([]); // replay comes after subscribe returns
    await bus.publish(ev('6')); // published before the replay ran: still delivered after 3, 4, 5
    await settle();
    expect(got).toEqual(['3', '4', '5', '6']); // 2 was dropped when 6 came (keep: 4)
    expect(bus.recent().map((e) => e.event.id)).toEqual(['3', '4', '5', '6']);
  });

  it('treats a second publish of the same source+id as a duplicate', async () => {
    const bus = createEventBus();
    const got: string[] = [];
    bus.subscribe(() => true, (e) => got.push(e.event.id));
    const first = await bus.publish(ev('same'));
    const again = await bus.publish(ev('same', { data: 2 }));
    await bus.publish(ev('same', { source: '/elsewhere' }));
    expect(again.seq).toBe(first.seq);
    expect(got).toEqual(['same', 'same']);
    expect(bus.seq).toBe(2);
  });

  it('keeps delivering when a subscriber or a filter throws, and when a subscriber publishes', async () => {
    const bus = createEventBus();
    const got: string[] = [];
    bus.subscribe(() => {
      throw new Error('bad filter');
    }, () => got.push('never'));
    bus.subscribe(() => true, () => {
      throw new Error('bad subscriber');
    });
    bus.subscribe(() => true, (e) => {
      got.push(e.event.id);
      if (e.event.id === 'a') void bus.publish(ev('b'));
    });
    await bus.publish(ev('a'));
    await settle();
    expect(got).toEqual(['a', 'b']);
  });

  it('keeps a frozen copy: neither the publisher nor a subscriber can change what others see', async () => {
    const bus = createEventBus();
    const event = ev('a', { data: { n: 1 } });
    const seen: unknown[] = [];
    bus.subscribe(() => true, (e) => seen.push(e.event.data));
    await bus.publish(event);
    (event.data as { n: number }).n = 2;
    expect(seen).toEqual([{ n: 1 }]);
    expect(Object.isFrozen(seen[0])).toBe(true);
  });

  it('has an epoch of its own', () => {
    expect(createEventBus().epoch).not.toBe(createEventBus().epoch);
  });
});
