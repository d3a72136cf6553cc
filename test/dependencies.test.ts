// depends_on conditions end to end: a one-shot dependency that must complete, a dependency
// that fails, injected URLs and identity variables, and services removed from the manifest.
import { afterEach, describe, expect, it } from 'vitest';
import { alive, nodeService, Project } from './helpers/tutti.js';

let p: Project | undefined;
afterEach(async () => {
  await p?.cleanup();
  p = undefined;
});

function stack(migrateExit: number): string {
  return `
name: deps
services:
  migrate:
    command: ${nodeService('crash.mjs')}
    env: { EXIT_CODE: "${migrateExit}", CRASH_AFTER_MS: "700" }
    restart: never
  db:
    command: ${nodeService('http.mjs')}
    health: { http: /healthz, interval: 100ms }
  api:
    command: ${nodeService('http.mjs')}
    depends_on: { migrate: completed, db: healthy }
    health: { http: /healthz, interval: 100ms }
`;
}

describe('dependencies', () => {
  it('starts a service only after a one-shot dependency completed successfully', async () => {
    p = new Project(stack(0));
    const up = await p.tutti('up');
    expect(up.code, up.stderr).toBe(0);
    const status = await p.json('ps');
    const migrate = status.instances.find((i: any) => i.service === 'migrate');
    const api = status.instances.find((i: any) => i.service === 'api');
    expect(migrate.state).toBe('completed');
    expect(migrate.lastExit.code).toBe(0);
    expect(api.startedAt).toBeGreaterThanOrEqual(migrate.lastExit.at);
    expect(status.services.find((s: any) => s.name === 'migrate').state).toBe('completed');
    expect(status.health).toBe(1);
  });

  it('does not start a service whose dependency failed, and says why', async () => {
    p = new Project(stack(4));
    const up = await p.tutti('up');
    expect(up.code).not.toBe(0);
    expect(up.stderr).toMatch(/api: not started: dependency migrate/);
    expect(up.stderr).toMatch(/exited with code 4/);
    const status = await p.json('ps');
    expect(status.instances.filter((i: any) => i.service === 'api')).toHaveLength(0);
    expect(status.instances.find((i: any) => i.service === 'db').state).toBe('running');
  });

  it('injects identity variables and <DEP>_URL, and stops services removed from the manifest', async () => {
    p = new Project(stack(0));
    expect((await p.tutti('up')).code).toBe(0);
    const status = await p.json('ps');
    const api = status.services.find((s: any) => s.name === 'api');
    const db = status.services.find((s: any) => s.name === 'db');
    const seen = (await (await fetch(api.endpoint + '/')).json()) as any;
    expect(seen).toMatchObject({ service: 'api', stack: 'deps', urls: { DB_URL: db.endpoint } });
    expect(seen.urls.MIGRATE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(seen.instance).toMatch(/^api-\d+$/);
    // the daemon's own malloc setting does not leak into the services it starts
    expect([seen.mallocArenas, seen.tuttiUserArenas]).toEqual([process.env.MALLOC_ARENA_MAX ?? null, null]);

    const dbPid = status.instances.find((i: any) => i.service === 'db').pid;
    p.write('tutti.yaml', stack(0).replace(/\n {2}api:[\s\S]*$/, '\n'));
    const again = await p.tutti('up');
    expect(again.code, again.stderr).toBe(0);
    const after = await p.json('ps');
    expect(after.services.map((s: any) => s.name)).toEqual(['migrate', 'db']);
    expect(after.instances.some((i: any) => i.service === 'api')).toBe(false);
    const apiPid = status.instances.find((i: any) => i.service === 'api').pid;
    expect(alive(apiPid)).toBe(false);
    expect(after.instances.find((i: any) => i.service === 'db').pid).toBe(dbPid);
  });
});
