import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { groupAlive, liveMembers, stopGroup } from './process-group.js';
import { isAlive } from './process-identity.js';

async function startGroup(script: string): Promise<{ pgid: number; grandchild: number }> {
  const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  await once(child, 'spawn');
  // the script prints the grandchild's pid once it has started it
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  child.stdout!.destroy();
  child.unref();
  return { pgid: child.pid!, grandchild: Number(chunk.toString().trim()) };
}

describe('process group stop', () => {
  it('stops the leader and its grandchildren with the stop signal', async () => {
    const { pgid, grandchild } = await startGroup('sleep 1000 & echo $!; wait');
    expect(liveMembers(pgid).sort()).toEqual([pgid, grandchild].sort());
    expect(await stopGroup(pgid, 'SIGTERM', 5000)).toBe('exited');
    expect(groupAlive(pgid)).toBe(false);
    expect(isAlive(grandchild)).toBe(false);
  });

  it('escalates to SIGKILL after the grace period when the stop signal is ignored', async () => {
    const { pgid, grandchild } = await startGroup(`trap '' TERM; sh -c "trap '' TERM; sleep 1000" & echo $!; while :; do sleep 0.05; done`);
    const started = Date.now();
    expect(await stopGroup(pgid, 'TERM', 300)).toBe('killed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(groupAlive(pgid)).toBe(false);
    expect(isAlive(grandchild)).toBe(false);
  });

  it('treats a group that is already gone as stopped', async () => {
    const { pgid } = await startGroup('echo 0');
    const deadline = Date.now() + 5000;
    while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await stopGroup(pgid, 'SIGTERM', 1000)).toBe('gone');
  });
});
