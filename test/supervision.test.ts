// Restart with backoff, crash loops, and stopping whole process groups.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alive, nodeService, Project, waitFor } from './helpers/tutti.js';

let p: Project | undefined;

/** The pids family.mjs writes once it has started its child. */
function familyPids(file: string): Promise<{ parent: number; child: number }> {
  return waitFor(() => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as { parent: number; child: number };
    } catch {
      return undefined;
    }
  }, { message: `the pids in ${file}` });
}
afterEach(async () => {
  await p?.cleanup();
  p = undefined;
});

describe('supervision', () => {
  it('restarts a crashed instance at once the first time, with its id and port kept', async () => {
    p = new Project('');
    p.write('tutti.yaml', `
name: once
services:
  flaky:
    command: ${nodeService('crash.mjs')}
    env: { ONCE_FILE: ${JSON.stringify(path.join(p.dir, 'crashed-once'))}, CRASH_AFTER_MS: "200" }
`);
    expect((await p.tutti('up')).code).toBe(0);
    const after = await waitFor(async () => {
      const i = (await p!.json('ps')).instances[0];
      return i.restarts === 1 && i.state === 'running' && i;
    }, { message: 'one restart' });
    // the first run's pid, from its own first log line
    const logText = (await p.tutti('logs', 'flaky')).stdout;
    const runs = [...logText.matchAll(/(flaky-\d+)\s+\| starting pid (\d+) port (\d+)/g)].map((m) => ({ id: m[1], pid: Number(m[2]), port: Number(m[3]) }));
    expect(runs).toHaveLength(2);
    const first = runs[0];
    expect(runs[1].pid).toBe(after.pid);
    expect(after.id).toBe(first.id);
    expect(after.port).toBe(first.port);
    expect(after.pid).not.toBe(first.pid);
    expect(after.lastExit.code).toBe(1);
  });

  it('reports a crash loop as such, with the exit code and last log lines, and slows down', async () => {
    p = new Project(`
name: loop
services:
  broken:
    command: ${nodeService('crash.mjs')}
    env: { EXIT_CODE: "3", CRASH_AFTER_MS: "10" }
    backoff: { initial: 200ms, factor: 2, max: 5s }
`);
    const t0 = Date.now();
    const up = await p.tutti('up');
    expect(up.code).not.toBe(0);
    expect(up.stderr).toMatch(/broken/);
    expect(up.stderr).toMatch(/crash-looping|exit(ed)? (with )?code 3/);
    expect(up.stderr).toMatch(/fatal: giving up with code 3/);
    const i = await waitFor(async () => {
      const inst = (await p!.json('ps')).instances[0];
      return inst?.state === 'crash-looping' && inst.restarts >= 4 && inst;
    }, { message: 'crash-looping after 4 restarts' });
    expect(i.lastExit.code).toBe(3);
    // the first restart is immediate, then 200, 400, 800 ms: four restarts take at least 1.4 s
    // (without backoff they would take a few tens of milliseconds)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
  });

  it('stop signals the whole process group, then SIGKILLs it after stop_grace: no orphans', async () => {
    p = new Project('');
    const pidsFile = path.join(p.dir, 'pids.json');
    p.write('tutti.yaml', `
name: family
services:
  stubborn:
    command: ${nodeService('family.mjs')}
    env: { PIDS_FILE: ${JSON.stringify(pidsFile)}, IGNORE_TERM: "1" }
    stop_grace: 500ms
`);
    expect((await p.tutti('up')).code).toBe(0);
    const pids = await familyPids(pidsFile);
    expect(alive(pids.parent) && alive(pids.child)).toBe(true);
    const started = Date.now();
    const stop = await p.tutti('stop', 'stubborn');
    expect(stop.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(alive(pids.parent)).toBe(false);
    expect(alive(pids.child)).toBe(false);
  });

  it('down leaves no grandchild behind either', async () => {
    p = new Project('');
    const pidsFile = path.join(p.dir, 'pids.json');
    p.write('tutti.yaml', `
name: family2
services:
  parent:
    command: ${nodeService('family.mjs')}
    env: { PIDS_FILE: ${JSON.stringify(pidsFile)} }
    stop_grace: 1s
`);
    expect((await p.tutti('up')).code).toBe(0);
    const pids = await familyPids(pidsFile);
    expect((await p.tutti('down')).code).toBe(0);
    expect(alive(pids.parent)).toBe(false);
    expect(alive(pids.child)).toBe(false);
  });
});
