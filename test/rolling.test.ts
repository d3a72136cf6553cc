// Rolling updates and `tutti restart`: a client looping requests through the service's stable
// endpoint sees no failed request while every instance is replaced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeService, Project } from './helpers/tutti.js';

function manifest(version: string, replicas: number): string {
  return `
name: rolling
services:
  web:
    command: ${nodeService('http.mjs')}
    replicas: ${replicas}
    env: { VERSION: "${version}", HEALTHY_AFTER_MS: "300" }
    health: { http: /healthz, interval: 100ms, timeout: 1s }
`;
}

/** Requests in a loop until stopped; counts failures and records the versions answered. */
function loadLoop(url: string) {
  let running = true;
  const stats = { ok: 0, failed: 0, errors: [] as string[], versions: new Set<string>() };
  const loop = (async () => {
    while (running) {
      try {
        const res = await fetch(url);
        const body = (await res.json()) as { version: string };
        if (res.status === 200) { stats.ok++; stats.versions.add(body.version); } else { stats.failed++; stats.errors.push(`status ${res.status}`); }
      } catch (err) {
        stats.failed++;
        stats.errors.push(String((err as Error).cause ?? err));
      }
    }
  })();
  return { stats, stop: async () => { running = false; await loop; } };
}

describe('rolling updates', () => {
  let p: Project;
  let url: string;
  beforeAll(async () => {
    p = new Project(manifest('1', 1));
    const up = await p.tutti('up');
    expect(up.code, up.stderr).toBe(0);
    url = (await p.json('ps')).services[0].endpoint + '/';
  });
  afterAll(() => p.cleanup());

  it('tutti restart replaces the instance with zero failed requests', async () => {
    const before = (await p.json('ps')).instances.map((i: any) => i.pid);
    const load = loadLoop(url);
    const r = await p.tutti('restart', 'web');
    await load.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(load.stats.errors).toEqual([]);
    expect(load.stats.ok).toBeGreaterThan(20);
    const after = (await p.json('ps')).instances;
    expect(after).toHaveLength(1);
    expect(before).not.toContain(after[0].pid);
  });

  it('an edited manifest rolls out the new revision with zero failed requests', async () => {
    p.write('tutti.yaml', manifest('2', 2));
    const load = loadLoop(url);
    const r = await p.tutti('up');
    await load.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(load.stats.errors).toEqual([]);
    expect(load.stats.versions).toContain('2');
    const status = await p.json('ps');
    expect(status.instances).toHaveLength(2);
    const answered = new Set<string>();
    for (let k = 0; k < 6; k++) answered.add(((await (await fetch(url)).json()) as any).version);
    expect([...answered]).toEqual(['2']);
  });

  it('an unchanged service is untouched when another service changes', async () => {
    p.write('tutti.yaml', manifest('2', 2) + `
  other:
    command: ${nodeService('http.mjs')}
`);
    const before = (await p.json('ps')).instances.map((i: any) => i.pid).sort();
    expect((await p.tutti('up')).code).toBe(0);
    const web = (await p.json('ps')).instances.filter((i: any) => i.service === 'web').map((i: any) => i.pid).sort();
    expect(web).toEqual(before);
  });
});
