// Bad input never disturbs the running stack: each mistake gets a clear error naming what
// and where, a non-zero exit, and the instances that ran before run on, untouched.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeService, Project } from './helpers/tutti.js';

const good = () => `
name: steady
services:
  api:
    command: ${nodeService('http.mjs')}
    health: { http: /healthz, interval: 100ms }
  web:
    command: ${nodeService('http.mjs')}
    depends_on: { api: healthy }
`;

describe('bad input', () => {
  let p: Project;
  let pids: string;
  const snapshot = async () => (await p.json('ps')).instances.map((i: any) => `${i.id}:${i.pid}:${i.state}`).sort().join(',');

  beforeAll(async () => {
    p = new Project(good());
    expect((await p.tutti('up')).code).toBe(0);
    pids = await snapshot();
  });
  afterAll(() => p.cleanup());

  async function rejected(manifest: string, ...patterns: RegExp[]) {
    p.write('tutti.yaml', manifest);
    const r = await p.tutti('up');
    expect(r.code).not.toBe(0);
    for (const pattern of patterns) expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
    expect(await snapshot()).toBe(pids);
    p.write('tutti.yaml', good());
  }

  it('invalid YAML names the line and column', () =>
    rejected('name: steady\nservices:\n  api:\n    command: [unclosed\n', /tutti\.yaml:\d+:\d+/));

  it('an unknown key suggests the nearest valid one', () =>
    rejected(good().replace('depends_on:', 'depnds_on:'), /depnds_on/, /did you mean "?depends_on"?/, /tutti\.yaml:\d+:\d+/));

  it('a dependency cycle names the cycle', () =>
    rejected(good().replace('health: { http: /healthz, interval: 100ms }', 'health: { http: /healthz, interval: 100ms }\n    depends_on: [web]'), /api -> web -> api|web -> api -> web/));

  it('a command that does not exist is refused before anything changes', () =>
    rejected(good().replace(/command: (.*)\n  web:/s, 'command: no-such-binary-here --flag\n  web:'), /command not found/, /no-such-binary-here/));

  it('a port already taken is refused', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await rejected(good() + `  fixed:\n    command: ${nodeService('http.mjs')}\n    port: ${port}\n`, new RegExp(`port ${port}`), /in use/);
    } finally {
      blocker.close();
    }
  });

  it('a health check that never passes fails the update and keeps the old instance', async () => {
    p.write('tutti.yaml', good().replace('health: { http: /healthz, interval: 100ms }', 'health: { http: /healthz, interval: 100ms }\n    env: { NEVER_HEALTHY: "1" }\n    ready_timeout: 2s'));
    const r = await p.tutti('up');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/api/);
    expect(r.stderr).toMatch(/not ready|health|503/i);
    expect(await snapshot()).toBe(pids);
    p.write('tutti.yaml', good());
    expect((await p.tutti('up')).code).toBe(0);
    expect(await snapshot()).toBe(pids);
  });

  it('config validate reports the same errors without a daemon', async () => {
    p.write('tutti.yaml', good().replace('replicas', 'replicas').replace('depends_on:', 'depnds_on:'));
    const r = await p.tutti('config', 'validate');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/did you mean "?depends_on"?/);
    p.write('tutti.yaml', good());
    const ok = await p.tutti('config', 'validate');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/valid: stack steady, 2 services/);
    const schema = JSON.parse((await p.tutti('config', 'schema')).stdout);
    expect(schema.properties.services).toBeDefined();
  });
});
