// Resident memory of whole process groups: each instance leads its own group (spawned
// detached), so a limit holds for everything the instance started — `npm start` and the node
// it runs, a shell and its command, a master and its workers — as a container's cgroup does.
// Members are found by one scan of /proc for all groups; their memory is read from
// /proc/<pid>/status (VmRSS) — not through pidusage, whose CPU figures are computed against
// its own previous call, so sampling here would skew the CPU % that stats() reports — and
// by pidusage only where there is no /proc. Summed RSS counts pages the members share
// (forked workers) once per member, so it errs towards restarting early, never late.

import fs from 'node:fs';
import pidusage from 'pidusage';
import { readProcStat } from './process-identity.js';

/** The live members of each of the given groups (a group with no member left is absent). */
export function groupMembers(pgids: Iterable<number>): Map<number, number[]> {
  const wanted = new Set(pgids);
  const members = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    // no /proc (macOS): the leaders alone, which pidusage measures with ps
    for (const pgid of wanted) members.set(pgid, [pgid]);
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (!stat || !wanted.has(stat.pgrp) || stat.state === 'Z' || stat.state === 'X') continue;
    const list = members.get(stat.pgrp) ?? [];
    list.push(stat.pid);
    members.set(stat.pgrp, list);
  }
  return members;
}

/** Resident memory in bytes of each group, summed over its members; groups that are gone are absent. */
export async function groupResidentMemory(pgids: Iterable<number>): Promise<Map<number, number>> {
  const members = groupMembers(pgids);
  const pids = [...members.values()].flat();
  const out = new Map<number, number>();
  if (pids.length === 0) return out;
  let usage: Record<string, { memory: number } | undefined>;
  if (fs.existsSync('/proc/self/status')) {
    usage = {};
    for (const pid of pids) {
      const rss = residentBytes(pid);
      if (rss !== undefined) usage[String(pid)] = { memory: rss };
    }
  } else {
    try {
      // a member that exits meanwhile is left out of the result (with several pids; with one, it throws)
      usage = (await pidusage(pids)) as Record<string, { memory: number } | undefined>;
    } catch {
      return out;
    }
  }
  for (const [pgid, pidsOfGroup] of members) {
    let total = 0;
    let measured = false;
    for (const pid of pidsOfGroup) {
      const memory = usage[String(pid)]?.memory;
      if (typeof memory !== 'number' || !Number.isFinite(memory)) continue;
      total += memory;
      measured = true;
    }
    if (measured) out.set(pgid, total);
  }
  return out;
}

/** VmRSS of /proc/<pid>/status in bytes; undefined when the process is gone (or a kernel thread). */
function residentBytes(pid: number): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}
