// Who a pid is. A pid alone is not an identity: after a daemon restart (or a reboot) the pid
// of a dead instance may belong to an unrelated process. The kernel's start time of the
// process (field 22 of /proc/<pid>/stat, clock ticks since boot) never changes for a process
// and differs for a reused pid, so pid + start time is what we persist and compare.

import fs from 'node:fs';

export interface ProcStat {
  pid: number;
  state: string;       // R, S, D, Z (zombie), X (dead), …
  pgrp: number;
  startTime: string;   // kept as text: compared exactly, never computed with
}

export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseProcStat(text);
}

/** Parses a /proc/<pid>/stat line; the command name (field 2) may hold spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // Fields after the name start with field 3 (state); field n is at index n - 3.
  const rest = text.slice(close + 2).trim().split(/\s+/);
  const state = rest[0];
  const pgrp = Number(rest[5 - 3]);
  const startTime = rest[22 - 3];
  if (!state || !Number.isFinite(pid) || !Number.isFinite(pgrp) || !startTime) return undefined;
  return { pid, state, pgrp, startTime };
}

/** A process that exists and is not a zombie (a zombie has exited; only its parent has not reaped it). */
export function isAlive(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** The start time of a live process, or undefined when it is gone. */
export function processStartTime(pid: number): string | undefined {
  const stat = readProcStat(pid);
  return stat && stat.state !== 'Z' && stat.state !== 'X' ? stat.startTime : undefined;
}

/** True when pid is still the very process that was started at startTime. */
export function isSameProcess(pid: number, startTime: string | undefined): boolean {
  if (!startTime) return false;
  return processStartTime(pid) === startTime;
}
