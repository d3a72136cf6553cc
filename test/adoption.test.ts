// The daemon is killed with SIGKILL: its instances keep running, and the next daemon (started
// by any command) adopts them — same pids, no restart, logs keep flowing, state intact. An
// instance that died while no daemon ran is restarted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, nodeService, Project, waitFor } from './helpers/tutti.js';

describe('adoption after the daemon is killed', () => {
  let p: Project;
  beforeAll(async () => {
    p = new Project(`
name: adopt
services:
  ticker:
    command: ${nodeService('http.mjs')}
    env: { TICK_MS: "100" }
    health: { http: /healthz, interval: 200ms }
  other:
    command: ${nodeService('http.mjs')}
    replicas: 2
    depends_on: [ticker]
`);
    const up = await p.tutti('up');
    expect(up.code, up.stderr).toBe(0);
    expect((await p.tutti('scale', 'other=3')).code).toBe(0); // state the next daemon must keep
  });
  afterAll(() => p.cleanup());

  it('keeps instances running with the same pids and no restart', async () => {
    const before = await p.json('ps');
    const daemon = p.daemon().pid;
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !alive(daemon), { message: 'the daemon to die' });
    for (const i of before.instances) expect(alive(i.pid)).toBe(true);

    const after = await p.json('ps'); // starts a new daemon, which adopts
    expect(p.daemon().pid).not.toBe(daemon);
    const key = (s: any) => s.instances.map((i: any) => `${i.id}:${i.pid}:${i.restarts}`).sort();
    expect(key(after)).toEqual(key(before));
    expect(after.services.map((s: any) => s.endpoint)).toEqual(before.services.map((s: any) => s.endpoint));
    expect(after.services.map((s: any) => `${s.name}:${s.replicas}`)).toEqual(['ticker:1', 'other:3']);
    expect(after.instances).toHaveLength(4);
    expect(after.health).toBe(1);
  });

  it('keeps capturing logs of adopted instances', async () => {
    const lastTick = async () => {
      const r = await p.tutti('logs', '--tail', '1', 'ticker');
      const m = /tick (\d+)/.exec(r.stdout);
      return m ? Number(m[1]) : 0;
    };
    const first = await waitFor(lastTick, { message: 'a tick' });
    await waitFor(async () => (await lastTick()) >= first + 3, { message: 'new ticks after adoption' });
  });

  it('restarts an instance that died while no daemon ran', async () => {
    const before = await p.json('ps');
    const victim = before.instances.find((i: any) => i.service === 'other');
    const daemon = p.daemon().pid;
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !alive(daemon));
    process.kill(victim.pid, 'SIGKILL');
    await waitFor(() => !alive(victim.pid));
    await p.json('ps');
    const replaced = await waitFor(async () => {
      const i = (await p.json('ps')).instances.find((x: any) => x.id === victim.id);
      return i?.state === 'running' && i.pid !== victim.pid && i;
    }, { message: 'the dead instance to be restarted' });
    expect(replaced.restarts).toBe(victim.restarts + 1);
    const others = (await p.json('ps')).instances.filter((i: any) => i.id !== victim.id);
    for (const o of others) expect(before.instances.find((b: any) => b.id === o.id).pid).toBe(o.pid);
  });
});
