import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, waitFor, type TestApp } from '../test-app.js';
import { openSse } from '../test-sse.js';
import type { LogQuery } from '../../runtime/contract.js';
import { parseSince, parseTime } from './logs.js';

let t: TestApp;
afterEach(() => t?.close());

function seed(t: TestApp): void {
  t.orchestrator.pushLog({ time: 1000, service: 'catalog', instance: 'catalog-1', text: 'c1' });
  t.orchestrator.pushLog({ time: 2000, service: 'orders', instance: 'orders-1', text: 'o1', stream: 'stderr' });
  t.orchestrator.pushLog({ time: 3000, service: 'orders', instance: 'orders-2', text: 'o2' });
  t.orchestrator.pushLog({ time: 4000, service: 'inventory', instance: 'inventory-1', text: 'i1' });
}

describe('GET /api/v1/logs', () => {
  it('answers { lines } filtered by services, instances, since and tail', async () => {
    t = await createTestApp();
    seed(t);
    const get = async (qs: string) => (await t.app.inject({ url: `/api/v1/logs${qs}`, headers: t.auth('viewer') })).json();
    expect((await get('')).lines.map((l: { text: string }) => l.text)).toEqual(['c1', 'o1', 'o2', 'i1']);
    expect((await get('?service=orders&service=catalog')).lines.map((l: { text: string }) => l.text)).toEqual(['c1', 'o1', 'o2']);
    expect((await get('?service=orders')).lines.map((l: { text: string }) => l.text)).toEqual(['o1', 'o2']);
    expect((await get('?instance=orders-2')).lines.map((l: { text: string }) => l.text)).toEqual(['o2']);
    expect((await get('?since=2500')).lines.map((l: { text: string }) => l.text)).toEqual(['o2', 'i1']);
    expect((await get('?tail=1')).lines).toEqual([{ time: 4000, service: 'inventory', instance: 'inventory-1', stream: 'stdout', text: 'i1' }]);
    const query = t.orchestrator.calls.filter((c) => c.method === 'logs').at(-1)!.args[0];
    expect(query).toMatchObject({ tail: 1, follow: false });
  });

  it('turns a duration into a time back from now', async () => {
    t = await createTestApp();
    const before = Date.now();
    await t.app.inject({ url: '/api/v1/logs?since=10m', headers: t.auth('viewer') });
    const query = t.orchestrator.calls.filter((c) => c.method === 'logs').at(-1)!.args[0] as { sinceMs: number };
    expect(query.sinceMs).toBeGreaterThanOrEqual(before - 600_000);
    expect(query.sinceMs).toBeLessThanOrEqual(Date.now() - 600_000);
  });

  it('refuses a bad since and an unknown service before reading anything', async () => {
    t = await createTestApp();
    const bad = await t.app.inject({ url: '/api/v1/logs?since=yesterdayish', headers: t.auth('viewer') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'TUTTI_E_BAD_REQUEST', message: expect.stringContaining('querystring.since') });
    const unknown = await t.app.inject({ url: '/api/v1/logs?service=payments', headers: t.auth('viewer') });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('TUTTI_E_UNKNOWN_SERVICE');
    expect(t.orchestrator.calls.filter((c) => c.method === 'logs')).toHaveLength(0);
  });

  it('passes grep, level and until to the runtime and answers level and message of parsed lines', async () => {
    t = await createTestApp();
    t.orchestrator.pushLog({ time: 1000, service: 'orders', instance: 'orders-1', text: '{"level":50,"msg":"paid twice"}', level: 'error', message: 'paid twice' });
    const before = Date.now();
    const res = await t.app.inject({ url: '/api/v1/logs?service=orders&grep=%2Fpaid%2Fi&level=warn&until=5m', headers: t.auth('viewer') });
    expect(res.statusCode).toBe(200);
    expect(res.json().lines).toEqual([
      { time: 1000, service: 'orders', instance: 'orders-1', stream: 'stdout', text: '{"level":50,"msg":"paid twice"}', level: 'error', message: 'paid twice' },
    ]);
    const query = t.orchestrator.calls.filter((c) => c.method === 'logs').at(-1)!.args[0] as LogQuery;
    expect(query).toMatchObject({ services: ['orders'], grep: '/paid/i', level: 'warn', follow: false });
    expect(query.untilMs).toBeGreaterThanOrEqual(before - 300_000);
    expect(query.untilMs).toBeLessThanOrEqual(Date.now() - 300_000);
    const iso = await t.app.inject({ url: '/api/v1/logs?until=2026-01-31T12:00:00Z', headers: t.auth('viewer') });
    expect(iso.statusCode).toBe(200);
    expect((t.orchestrator.calls.at(-1)!.args[0] as LogQuery).untilMs).toBe(Date.UTC(2026, 0, 31, 12));
  });

  it.each([
    ['a bad regex', 'grep=%2Fa(%2F', 'invalid request: querystring.grep /a(/ is not a valid regular expression: unterminated group'],
    ['a bad regex, following', 'grep=%2F%5Bz-a%5D%2F&follow=true', 'invalid request: querystring.grep /[z-a]/ is not a valid regular expression'],
    ['an unknown level', 'level=loud', 'querystring.level'],
    ['a bad until', 'until=later', 'invalid request: querystring.until "later" is neither a time nor a duration'],
    ['an empty grep', 'grep=', 'querystring.grep'],
  ])('refuses %s with 400 before reading anything', async (_what, qs, message) => {
    t = await createTestApp();
    const res = await t.app.inject({ url: `/api/v1/logs?${qs}`, headers: t.auth('viewer') });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('TUTTI_E_BAD_REQUEST');
    expect(res.json().message).toContain(message);
    expect(t.orchestrator.calls.filter((c) => c.method === 'logs')).toHaveLength(0);
  });

  it('streams level and message with follow=true', async () => {
    t = await createTestApp({ listen: true });
    const conn = await openSse(`${t.url}/api/v1/logs?service=orders&level=info&follow=true`, t.auth('viewer'));
    await waitFor(() => t.orchestrator.openLogStreams === 1, 'the log stream to open');
    t.orchestrator.pushLog({ service: 'orders', instance: 'orders-1', text: '{"level":"warn","message":"slow"}', level: 'warn', message: 'slow' });
    const [event] = await conn.waitForEvents(1);
    expect(JSON.parse(event.data)).toMatchObject({ level: 'warn', message: 'slow' });
    conn.close();
  });

  it('streams the tail then live lines with follow=true, and ends the iterator on disconnect', async () => {
    t = await createTestApp({ listen: true });
    seed(t);
    const conn = await openSse(`${t.url}/api/v1/logs?service=orders&tail=1&follow=true`, t.auth('viewer'));
    expect(conn.status).toBe(200);
    expect(conn.headers['cache-control']).toContain('no-cache');
    const [tail] = await conn.waitForEvents(1);
    expect(tail.event).toBe('log');
    expect(JSON.parse(tail.data)).toMatchObject({ text: 'o2' });

    t.orchestrator.pushLog({ service: 'catalog', instance: 'catalog-1', text: 'not for us' });
    t.orchestrator.pushLog({ service: 'orders', instance: 'orders-1', text: 'live' });
    await conn.waitForEvents(2);
    expect(conn.events.map((e) => JSON.parse(e.data).text)).toEqual(['o2', 'live']);
    expect(t.orchestrator.openLogStreams).toBe(1);

    conn.close();
    await waitFor(() => t.orchestrator.openLogStreams === 0, 'the log iterator to end');
  });

  it('sends an error event and ends the stream when the log source fails', async () => {
    t = await createTestApp({ listen: true, withStack: false });
    const conn = await openSse(`${t.url}/api/v1/logs?service=explode&follow=true`, t.auth('viewer'));
    await conn.ended;
    expect(conn.events).toHaveLength(1);
    expect(conn.events[0].event).toBe('error');
    expect(JSON.parse(conn.events[0].data)).toEqual({ code: 'TUTTI_E_INTERNAL', message: 'log files are unreadable' });
  });

  it('ends open log streams when the app closes', async () => {
    t = await createTestApp({ listen: true });
    const conn = await openSse(`${t.url}/api/v1/logs?follow=true`, t.auth('viewer'));
    await waitFor(() => t.orchestrator.openLogStreams === 1, 'the log stream to open');
    await t.close();
    await conn.ended;
    await waitFor(() => t.orchestrator.openLogStreams === 0, 'the log iterator to end');
  });
});

describe('parseSince', () => {
  const now = 1_800_000_000_000;
  it.each([
    ['1700000000000', 1_700_000_000_000],
    ['10m', now - 600_000],
    ['1h30m', now - 5_400_000],
    ['2026-01-31T12:00:00Z', Date.UTC(2026, 0, 31, 12)],
  ])('%s', (text, expected) => expect(parseSince(text, now)).toBe(expected));

  it('refuses text that is neither', () => expect(() => parseSince('soon', now)).toThrow(/neither a time nor a duration/));

  it('names the field it parses', () => {
    expect(parseTime('until', '90s', now)).toBe(now - 90_000);
    expect(() => parseTime('until', 'soon', now)).toThrow(/querystring\.until/);
  });
});
