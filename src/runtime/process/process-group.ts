// Stopping an instance means stopping everything it started: each instance leads its own
// process group (spawned detached), so a signal to -pgid reaches grandchildren too. Stop is
// the stop signal, a grace period polling whether any member is left, then SIGKILL.

import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { readProcStat } from './process-identity.js';

const POLL_MS = 25;
/** How long we wait for the kernel to tear a group down after SIGKILL. */
const KILL_WAIT_MS = 5000;

/** Sends a signal to the whole group; false when no member is left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | number): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/**
 * Whether any live member of the group is left. kill(-pgid, 0) also succeeds for zombies
 * (exited, not yet reaped, which an init that does not reap leaves around for good), so a
 * positive answer is confirmed by looking for a member that is not a zombie.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return liveMembers(pgid).length > 0;
}

/** Pids of the group's members that have not exited. */
export function liveMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [pgid]; // no /proc: trust kill(-pgid, 0)
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(stat.pid);
  }
  return members;
}

export async function waitGroupGone(pgid: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!groupAlive(pgid)) return true;
    if (Date.now() >= deadline || signal?.aborted) return false;
    await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
  }
}

export type StopOutcome = 'gone' | 'exited' | 'killed';

/**
 * Stops a process group: stopSignal, up to graceMs for every member to exit, then SIGKILL.
 * Resolves once no live member is left (or the kernel did not manage within KILL_WAIT_MS).
 */
export async function stopGroup(pgid: number, stopSignal: string, graceMs: number): Promise<StopOutcome> {
  if (!groupAlive(pgid)) return 'gone';
  if (!signalGroup(pgid, toSignal(stopSignal))) return 'gone';
  if (await waitGroupGone(pgid, graceMs)) return 'exited';
  signalGroup(pgid, 'SIGKILL');
  await waitGroupGone(pgid, KILL_WAIT_MS);
  return 'killed';
}

function toSignal(name: string): NodeJS.Signals {
  const upper = name.toUpperCase();
  return (upper.startsWith('SIG') ? upper : `SIG${upper}`) as NodeJS.Signals;
}
