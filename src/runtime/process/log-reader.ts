// Reading captured logs back: finds the log files of the requested services and instances
// (including instances that no longer run, as long as their files are there), reads the
// current and rotated files, filters them (time window, grep, level), merges across instances
// in time order and keeps the last N. Files are read newest first; a file entirely outside
// the window is skipped, and older ones once enough lines are in.

import fs from 'node:fs';
import path from 'node:path';
import { naturalCompare, type LogLine } from '../../core/index.js';
import type { LogQuery } from '../contract.js';
import { compileLineFilter, type LineFilter } from './log-filter.js';
import { splitLogLine } from './log-format.js';

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
  // newest file first: lines in a file are in time order, and older files hold older lines
  for (const file of files) {
    const text = await fs.promises.readFile(file, 'utf8').catch(() => '');
    const first = timeOfLine(text, 0);
    if (filter.untilMs !== undefined && first !== undefined && first > filter.untilMs) continue;
    if (filter.sinceMs !== undefined && lastTime(text) < filter.sinceMs) break;
    const lines = scanFile(text, source, filter);
    chunks.unshift(lines);
    count += lines.length;
    if (filter.sinceMs !== undefined && first !== undefined && first < filter.sinceMs) break;
    if (opts.tail !== undefined && count >= opts.tail) break;
  }
  const all = chunks.flat();
  return opts.tail !== undefined ? all.slice(Math.max(0, all.length - opts.tail)) : all;
}

/** The lines of one file's text that pass the filter, with level and message when parsed. */
export function scanFile(text: string, source: Pick<LogSource, 'service' | 'instance'>, filter: LineFilter): LogLine[] {
  const out: LogLine[] = [];
  const windowed = filter.sinceMs !== undefined || filter.untilMs !== undefined;
  const consider = (start: number, end: number): void => {
    const parts = end > start ? splitLogLine(text.slice(start, end)) : undefined;
    if (!parts) return;
    let time = windowed ? Date.parse(parts.timeText) : undefined;
    if (time !== undefined && !filter.inWindow(time)) return;
    const fields = filter.match(parts.text);
    if (!fields) return;
    time ??= Date.parse(parts.timeText);
    if (Number.isNaN(time)) return;
    const line: LogLine = { time, service: source.service, instance: source.instance, stream: parts.stream, text: parts.text };
    if (fields.level !== undefined) line.level = fields.level;
    if (fields.message !== undefined) line.message = fields.message;
    out.push(line);
  };
  if (filter.needle !== undefined) {
    // as grep does: search the whole text, look only at the lines holding the needle, and at
    // lines with a backslash (a JSON line's escaped message may hold it once decoded)
    const needle = filter.needle;
    let hit = text.indexOf(needle);
    let escape = text.indexOf('\\');
    let pos = 0;
    for (;;) {
      if (hit >= 0 && hit < pos) hit = text.indexOf(needle, pos);
      if (escape >= 0 && escape < pos) escape = text.indexOf('\\', pos);
      const next = hit < 0 ? escape : escape < 0 ? hit : Math.min(hit, escape);
      if (next < 0) break;
      const start = next === 0 ? 0 : text.lastIndexOf('\n', next - 1) + 1;
      let end = text.indexOf('\n', next);
      if (end < 0) end = text.length;
      consider(start, end);
      pos = end + 1;
    }
    return out;
  }
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    consider(start, end);
    start = end + 1;
  }
  return out;
}

/** Time of the stored line starting at `start`, undefined when it is not one. */
function timeOfLine(text: string, start: number): number | undefined {
  const space = text.indexOf(' ', start);
  const newline = text.indexOf('\n', start);
  if (space < 0 || (newline >= 0 && newline < space)) return undefined;
  const time = Date.parse(text.slice(start, space));
  return Number.isNaN(time) ? undefined : time;
}

/** Time of a file's last line; +Infinity when it cannot be read, so the file is not skipped. */
function lastTime(text: string): number {
  const end = text.endsWith('\n') ? text.length - 1 : text.length;
  const time = timeOfLine(text, text.lastIndexOf('\n', end - 1) + 1);
  return time ?? Number.POSITIVE_INFINITY;
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
