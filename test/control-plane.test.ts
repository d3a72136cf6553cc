// The control plane's surface: daemon.json, the token file, bearer auth on every API request,
// the OpenAPI document, and the typed client used by the CLI.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/index.js';
import { nodeService, Project, waitFor } from './helpers/tutti.js';

describe('control plane', () => {
  let p: Project;
  beforeAll(async () => {
    p = new Project(`
name: api
services:
  one:
    command: ${nodeService('http.mjs')}
`);
    expect((await p.tutti('up')).code).toBe(0);
  });
  afterAll(() => p.cleanup());

  it('records pid, address and port in .tutti/daemon.json and listens on 127.0.0.1', () => {
    const d = p.daemon();
    expect(d.pid).toBeGreaterThan(0);
    expect(d.url).toBe(`http://127.0.0.1:${d.port}`);
  });

  it('keeps the token in a file only its owner can read', () => {
    const mode = statSync(path.join(p.dir, '.tutti', 'token')).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('answers 401 without the token and 200 with it', async () => {
    const { url } = p.daemon();
    const anon = await fetch(`${url}/api/v1/stack`);
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as any).code).toBe('TUTTI_E_UNAUTHORIZED');
    const wrong = await fetch(`${url}/api/v1/stack`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${url}/api/v1/stack`, { headers: { authorization: `Bearer ${p.token()}` } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).name).toBe('api');
  });

  it('gives viewer and operator tokens only their role', async () => {
    const { url } = p.daemon();
    const token = (name: string) => readFileSync(path.join(p.dir, '.tutti', name), 'utf8').trim();
    const viewer = { authorization: `Bearer ${token('viewer.token')}` };
    const operator = { authorization: `Bearer ${token('operator.token')}` };
    expect((await fetch(`${url}/api/v1/stack`, { headers: viewer })).status).toBe(200);
    const refused = await fetch(`${url}/api/v1/services/one/restart`, { method: 'POST', headers: viewer });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as any).message).toMatch(/needs the operator role; this token has viewer/);
    const restart = await fetch(`${url}/api/v1/services/one/restart`, { method: 'POST', headers: operator });
    expect(restart.status).toBe(202);
    const op = (await restart.json()) as { id: string };
    const done = await waitFor(async () => {
      const info = (await (await fetch(`${url}/api/v1/operations/${op.id}`, { headers: viewer })).json()) as any;
      return info.done && info;
    }, { message: 'the restart to finish' });
    expect(done.ok).toBe(true);
    const down = await fetch(`${url}/api/v1/stack`, { method: 'DELETE', headers: operator });
    expect(down.status).toBe(403);
    for (const name of ['viewer.token', 'operator.token']) {
      expect(statSync(path.join(p.dir, '.tutti', name)).mode & 0o777).toBe(0o600);
    }
  });

  it('serves an OpenAPI document describing the API', async () => {
    const { url } = p.daemon();
    const res = await fetch(`${url}/api/v1/openapi.json`, { headers: { authorization: `Bearer ${p.token()}` } });
    const doc = (await res.json()) as any;
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/stack', '/api/v1/logs', '/api/v1/services/{name}/restart']));
  });

  it('refuses a second control plane on the same project', async () => {
    const r = await p.tutti('server', '--dir', p.dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`another tutti control plane \\(pid ${p.daemon().pid}`));
    expect((await p.json('ps')).instances).toHaveLength(1);
  });

  it('the typed client reports unknown services with a coded error', async () => {
    const client = createClient({ url: p.daemon().url, token: p.token() });
    await expect(client.restart('nope')).rejects.toMatchObject({ code: 'TUTTI_E_UNKNOWN_SERVICE' });
    const status = await client.stack();
    expect(status.services.map((s) => s.name)).toEqual(['one']);
  });
});
