import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { dashboardLink } from './dashboard.js';

let server: http.Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A control plane that answers the login-code request with `status` and `body`, recording what it got. */
async function controlPlane(status: number, body: unknown): Promise<{ url: string; seen: http.IncomingMessage[] }> {
  const seen: http.IncomingMessage[] = [];
  server = http.createServer((req, res) => {
    seen.push(req);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`, seen };
}

describe('dashboardLink', () => {
  it('asks for a code with the token and builds the link on the same address', async () => {
    const cp = await controlPlane(201, { code: 'abc', path: '/login?code=abc', expiresAt: 42 });
    const link = await dashboardLink(cp.url, 'tok');
    expect(link).toEqual({ url: `${cp.url}login?code=abc`, home: cp.url, expiresAt: 42 });
    expect(cp.seen[0].method).toBe('POST');
    expect(cp.seen[0].url).toBe('/api/v1/dashboard/login-codes');
    expect(cp.seen[0].headers.authorization).toBe('Bearer tok');
  });

  it("passes the control plane's refusal on", async () => {
    const cp = await controlPlane(403, { code: 'TUTTI_E_FORBIDDEN', message: 'POST /api/v1/dashboard/login-codes needs the operator role; this token has viewer' });
    await expect(dashboardLink(cp.url, 'viewer')).rejects.toMatchObject({ code: 'TUTTI_E_FORBIDDEN', message: expect.stringContaining('operator') });
  });

  it('says when the control plane has no dashboard, and when it cannot be reached', async () => {
    const cp = await controlPlane(404, { code: 'TUTTI_E_NOT_FOUND', message: 'Route POST:/api/v1/dashboard/login-codes not found' });
    await expect(dashboardLink(cp.url, 'tok')).rejects.toMatchObject({ code: 'TUTTI_E_UNAVAILABLE', hint: expect.stringContaining('restart') });
    await expect(dashboardLink('http://127.0.0.1:1', 'tok')).rejects.toMatchObject({ code: 'TUTTI_E_DAEMON_UNREACHABLE' });
  });
});
