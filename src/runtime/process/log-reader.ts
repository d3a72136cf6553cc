// Reading captured logs back: finds the log files of the requested services and instances
// (including instances that no longer run, as long as their files are there), reads the
// current and rotated files, filters by time, merges across instances in time order and keeps
// the last N. Files are read newest first and older ones are skipped once enough lines are in.

import fs from 'node:fs';
import path from 'node:path';
import { naturalCompare, type LogLine } from '../../core/index.js';
import type { LogQuery } from '../contract.js';
import { parseLogLine } from './log-format.js';

export interface LogSource {
  service: string;
  instance: string;
  dir: string;
}

const LOG_FILE = /^(.+)\.log(?:\.(\d+))?$/;

/** Whether a line of this service/instance is wanted by the query (all when it names none). */
export function matchesQuery(query: LogQuery, service: string, instance: string): boolean {
  const byService = query.services && query.services.length > 0;
  const byInstance = query.instances && query.instances.length > 0;
  if (!byService && !byInstance) return true;
  return Boolean((byService && query.services!.includes(service)) || (byInstance && query.instances!.includes(instance)));
}

export async function listLogSources(logsDir: string, query: LogQuery): Promise<LogSource[]> {
  const services = await readdirSafe(logsDir);
  const sources: LogSource[] = [];
  for (const service of services.sort()) {
    const dir = path.join(logsDir, service);
    const instances = new Set<string>();
    for (const name of await readdirSafe(dir)) {
      const m = LOG_FILE.exec(name);
      if (m) instances.add(m[1]);
    }
    for (const instance of [...instances].sort(byInstanceNumber)) {
      if (matchesQuery(query, service, instance)) sources.push({ service, instance, dir });
    }
  }
  return sources;
}

/** Lines of one instance, oldest first, at or after sinceMs, at most the last `tail`. */
export async function readInstanceLines(source: LogSource, opts: { sinceMs?: number; tail?: number } = {}): Promise<LogLine[]> {
  const files = await instanceFiles(source);
  const chunks: LogLine[][] = [];
  let count = 0;
  for (const file of files) {
    const text = await fs.promises.readFile(file, 'utf8').catch(() => '');
    const lines: LogLine[] = [];
    let reachedSince = false;
    for (const raw of text.split('\n')) {
      if (raw === '') continue;
      const parsed = parseLogLine(raw);
      if (!parsed) continue;
      if (opts.sinceMs !== undefined && parsed.time < opts.sinceMs) {
        reachedSince = true;
        continue;
      }
      lines.push({ time: parsed.time, service: source.service, instance: source.instance, stream: parsed.stream, text: parsed.text });
    }
    chunks.unshift(lines);
    count += lines.length;
    // older files hold older lines only
    if (reachedSince || (opts.tail !== undefined && count >= opts.tail)) break;
  }
  const all = chunks.flat();
  return opts.tail !== undefined ? all.slice(Math.max(0, all.length - opts.tail)) : all;
}

/** Merges per-instance lists (each in time order) into one time-ordered list; ties keep their order. */
export function mergeByTime(lists: LogLine[][]): LogLine[] {
  return lists.flat().sort((a, b) => a.time - b.time);
}

export async function readLogHistory(logsDir: string, query: LogQuery): Promise<LogLine[]> {
  if (query.tail === 0) return [];
  const sources = await listLogSources(logsDir, query);
  const lists = await Promise.all(sources.map((s) => readInstanceLines(s, { sinceMs: query.sinceMs, tail: query.tail })));
  const merged = mergeByTime(lists);
  return query.tail !== undefined ? merged.slice(Math.max(0, merged.length - query.tail)) : merged;
}

/** The current file and the rotated ones of an instance, newest first. */
async function instanceFiles(source: LogSource): Promise<string[]> {
  const rotated: Array<{ n: number; file: string }> = [];
  let current: string | undefined;
  for (const name of await readdirSafe(source.dir)) {
    const m = LOG_FILE.exec(name);
    if (!m || m[1] !== source.instance) continue;
    if (m[2] === undefined) current = path.join(source.dir, name);
    else rotated.push({ n: Number(m[2]), file: path.join(source.dir, name) });
  }
  rotated.sort((a, b) => a.n - b.n);
  return [...(current ? [current] : []), ...rotated.map((r) => r.file)];
}

async function readdirSafe(dir: string): Promise<string[]> {
  try {
    return await fs.promises.readdir(dir);
  } catch {
    return [];
  }
}

/** web-2 before web-10. */
function byInstanceNumber(a: string, b: string): number {
  return naturalCompare(a, b);
}
