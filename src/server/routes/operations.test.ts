import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, waitFor, type TestApp } from '../test-app.js';
import { openSse } from '../test-sse.js';

let t: TestApp;
afterEach(() => t?.close());

async function startRestart(t: TestApp): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/services/orders/restart', headers: t.auth('operator') });
  return res.json().id as string;
}

describe('GET /api/v1/operations/:id', () => {
  it('shows the operation with its events so far, and 404 for an unknown id', async () => {
    t = await createTestApp();
    const id = await startRestart(t);
    t.orchestrator.progress(id, { service: 'orders', phase: 'starting', instance: 'orders-2' });
    const res = await t.app.inject({ url: `/api/v1/operations/${id}`, headers: t.auth('viewer') });
    expect(res.json()).toMatchObject({ id, kind: 'restart', done: false, events: [{ seq: 1, phase: 'starting', instance: 'orders-2' }] });
    const missing = await t.app.inject({ url: '/api/v1/operations/nope', headers: t.auth('viewer') });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('TUTTI_E_NOT_FOUND');
  });
});

describe('GET /api/v1/operations/:id/events', () => {
  it('replays past events, streams live ones and ends after complete', async () => {
    t = await createTestApp({ listen: true });
    const id = await startRestart(t);
    t.orchestrator.progress(id, { service: 'orders', phase: 'starting', instance: 'orders-2' });

    const conn = await openSse(`${t.url}/api/v1/operations/${id}/events`, t.auth('viewer'));
    expect(conn.status).toBe(200);
    expect(conn.headers['content-type']).toMatch(/^text\/event-stream/);
    const [first] = await conn.waitForEvents(1);
    expect(first).toMatchObject({ id: '1', event: 'operation' });
    expect(JSON.parse(first.data)).toMatchObject({ seq: 1, phase: 'starting' });

    t.orchestrator.progress(id, { service: 'orders', phase: 'ready', instance: 'orders-2' });
    await conn.waitForEvents(2);
    t.orchestrator.complete(id, true);
    await conn.ended;
    expect(conn.events.map((e) => JSON.parse(e.data).phase)).toEqual(['starting', 'ready', 'complete']);
    expect(JSON.parse(conn.events[2].data).ok).toBe(true);
    await waitFor(() => t.orchestrator.listenerCount(id) === 0, 'the follower to unsubscribe');
  });

  it('replays a finished operation whole and ends at once', async () => {
    t = await createTestApp({ listen: true });
    const id = await startRestart(t);
    t.orchestrator.progress(id, { service: 'orders', phase: 'failed', message: 'exit code 1', logs: ['boom'] });
    t.orchestrator.complete(id, false);
    const conn = await openSse(`${t.url}/api/v1/operations/${id}/events`, t.auth('viewer'));
    await conn.ended;
    expect(conn.events.map((e) => e.id)).toEqual(['1', '2']);
    expect(JSON.parse(conn.events[0].data)).toMatchObject({ phase: 'failed', logs: ['boom'] });
  });

  it('resumes after Last-Event-ID', async () => {
    t = await createTestApp({ listen: true });
    const id = await startRestart(t);
    for (const phase of ['starting', 'ready', 'stopping'] as const) t.orchestrator.progress(id, { service: 'orders', phase });
    t.orchestrator.complete(id);
    const conn = await openSse(`${t.url}/api/v1/operations/${id}/events`, { ...t.auth('viewer'), 'last-event-id': '2' });
    await conn.ended;
    expect(conn.events.map((e) => e.id)).toEqual(['3', '4']);
  });

  it('stops following when the client goes away', async () => {
    t = await createTestApp({ listen: true });
    const id = await startRestart(t);
    const conn = await openSse(`${t.url}/api/v1/operations/${id}/events`, t.auth('viewer'));
    await waitFor(() => t.orchestrator.listenerCount(id) === 1, 'the follower to subscribe');
    conn.close();
    await waitFor(() => t.orchestrator.listenerCount(id) === 0, 'the follower to unsubscribe');
  });

  it('answers 404 as JSON, not as a stream, for an unknown operation', async () => {
    t = await createTestApp({ listen: true });
    const conn = await openSse(`${t.url}/api/v1/operations/nope/events`, t.auth('viewer'));
    expect(conn.status).toBe(404);
    expect(conn.body).toMatchObject({ code: 'TUTTI_E_NOT_FOUND' });
  });
});

describe('GET /api/v1/operations/:id/events when following fails', () => {
  it('ends the stream with an error event', async () => {
    t = await createTestApp({ listen: true });
    const id = await startRestart(t);
    t.orchestrator.followOperation = () => {
      throw new Error('listener table corrupted');
    };
    const conn = await openSse(`${t.url}/api/v1/operations/${id}/events`, t.auth('viewer'));
    await conn.ended;
    expect(conn.events.map((e) => e.event)).toEqual(['error']);
    expect(JSON.parse(conn.events[0].data)).toMatchObject({ code: 'TUTTI_E_INTERNAL' });
    expect(conn.raw).not.toContain('corrupted');
  });
});
