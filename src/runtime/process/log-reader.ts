// Reading captured logs back: finds the log files of the requested services and instances
// (including instances that no longer run, as long as their files are there), reads the
// current and rotated files, filters them (time window, grep, level), merges across instances
// in time order and keeps the last N. Files are read newest first; a file entirely outside
// the window is skipped, and older ones once enough lines are in.

import fs from 'node:fs';
import path from 'node:path';
import { naturalCompare, type LogLine } from '../../core/index.js';
import type { LogQuery } from '../contract.js';
import { compileLineFilter, type LineFilter } from '../log-filter.js';
import { byteNeedle, lastBufferTime, lastTime, scanBuffer, scanFile, timeOfBufferLine, timeOfLine } from './log-scan.js';

export interface LogSource {
  service: string;
  instance: string;
  dir: string;
}

const LOG_FILE = /^(.+)\.log(?:\.(\d+))?$/;

/** `web-1.log` is web-1's current file, `web-1.log.2` its second newest rotated one. */
export function parseLogFileName(name: string): { instance: string; rotation?: number } | undefined {
  const m = LOG_FILE.exec(name);
  if (!m) return undefined;
  return m[2] === undefined ? { instance: m[1] } : { instance: m[1], rotation: Number(m[2]) };
}

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

export interface InstanceReadOptions {
  /** the query's time window, grep and level; every line when absent */
  filter?: LineFilter;
  /** at most the last N lines that pass the filter */
  tail?: number;
}

const EVERY_LINE = compileLineFilter({});

/** Lines of one instance that pass the filter, oldest first, at most the last `tail`. */
export async function readInstanceLines(source: LogSource, opts: InstanceReadOptions = {}): Promise<LogLine[]> {
  const filter = opts.filter ?? EVERY_LINE;
  const files = await instanceFiles(source);
  const chunks: LogLine[][] = [];
  let count = 0;
  const needle = byteNeedle(filter);
  // newest file first: lines in a file are in time order, and older files hold older lines
  for (const file of files) {
    const content = await loadFile(file, needle);
    const first = content.firstTime();
    if (filter.untilMs !== undefined && first !== undefined && first > filter.untilMs) continue;
    if (filter.sinceMs !== undefined && content.lastTime() < filter.sinceMs) break;
    const lines = content.scan(source, filter);
    chunks.unshift(lines);
    count += lines.length;
    if (filter.sinceMs !== undefined && first !== undefined && first < filter.sinceMs) break;
    if (opts.tail !== undefined && count >= opts.tail) break;
  }
  const all = chunks.flat();
  return opts.tail !== undefined ? all.slice(Math.max(0, all.length - opts.tail)) : all;
}

interface FileContent {
  firstTime(): number | undefined;
  lastTime(): number;
  scan(source: LogSource, filter: LineFilter): LogLine[];
}

/**
 * A log file as bytes when the filter has a byte needle (only the lines holding it are
 * decoded), as text otherwise; empty when it cannot be read (rotated away meanwhile).
 */
async function loadFile(file: string, needle: Buffer | undefined): Promise<FileContent> {
  if (needle !== undefined) {
    const buf = await fs.promises.readFile(file).catch(() => Buffer.alloc(0));
    return {
      firstTime: () => timeOfBufferLine(buf, 0),
      lastTime: () => lastBufferTime(buf),
      scan: (source, filter) => scanBuffer(buf, needle, source, filter),
    };
  }
  const text = await fs.promises.readFile(file, 'utf8').catch(() => '');
  return {
    firstTime: () => timeOfLine(text, 0),
    lastTime: () => lastTime(text),
    scan: (source, filter) => scanFile(text, source, filter),
  };
}

/** Merges per-instance lists (each in time order) into one time-ordered list; ties keep their order. */
export function mergeByTime(lists: LogLine[][]): LogLine[] {
  return lists.flat().sort((a, b) => a.time - b.time);
}

/** Throws TUTTI_E_BAD_REQUEST for a bad grep pattern before any file is read. */
export async function readLogHistory(logsDir: string, query: LogQuery): Promise<LogLine[]> {
  const filter = compileLineFilter(query);
  if (query.tail === 0) return [];
  const sources = await listLogSources(logsDir, query);
  const lists = await Promise.all(sources.map((s) => readInstanceLines(s, { filter, tail: query.tail })));
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
