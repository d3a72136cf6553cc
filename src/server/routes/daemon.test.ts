import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test-app.js';

let t: TestApp;
afterEach(() => t?.close());

describe('daemon routes', () => {
  it('reports the version', async () => {
    t = await createTestApp();
    const res = await t.app.inject({ url: '/api/v1/version', headers: t.auth('viewer') });
    expect(res.json()).toEqual({ version: '9.9.9-test', api: 'v1', node: process.version });
  });

  it('accepts a shutdown with 202 and calls onShutdown only once the answer is on the wire', async () => {
    const calls: Array<{ stopStack: boolean }> = [];
    // like the daemon, which exits right away: if this ran before the reply was written, the
    // caller would see a reset connection instead of the 202
    t = await createTestApp({
      listen: true,
      onShutdown: (o) => {
        calls.push(o);
        t.app.server.closeAllConnections();
      },
    });
    const res = await fetch(`${t.url}/api/v1/daemon/shutdown`, {
      method: 'POST',
      headers: { ...t.auth('admin'), 'content-type': 'application/json' },
      body: JSON.stringify({ stopStack: true }),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: true, stopStack: true });
    expect(calls).toEqual([{ stopStack: true }]);
  });

  it('treats a shutdown without a body as stopStack=false, and refuses unknown fields', async () => {
    t = await createTestApp();
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/daemon/shutdown', headers: t.auth('admin') });
    expect(res.statusCode).toBe(202);
    expect(t.shutdowns).toEqual([{ stopStack: false }]);
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/daemon/shutdown', headers: t.auth('admin'), payload: { stopstack: true } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe('invalid request: body.stopstack is not a known field');
    expect(t.shutdowns).toHaveLength(1);
  });

  it('refuses a shutdown when the app has no shutdown handler', async () => {
    t = await createTestApp({ onShutdown: undefined });
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/daemon/shutdown', headers: t.auth('admin'), payload: {} });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('TUTTI_E_CONFLICT');
  });
});
