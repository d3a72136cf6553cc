// Finding the stored lines of one log file that pass a query's filter. A text grep searches the
// file's raw bytes, as grep does, and decodes only the lines holding the pattern (or a
// backslash: a JSON line's escaped message may hold it once decoded), so a search reads most
// of a file without turning it into a string; every other query decodes the file and looks at
// each line. Both ways keep exactly the same lines.

import type { LogLine } from '../../core/index.js';
import type { LineFilter } from '../log-filter.js';
import { splitLogLine } from './log-format.js';

type Source = { service: string; instance: string };

const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const SPACE = 0x20;
// with the u flag a pair reads as one code point, so only a lone half matches
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * The UTF-8 bytes of the filter's text pattern, when searching bytes finds every line the
 * decoded text would: not for a pattern with U+FFFD (the decoder writes it for bytes that are
 * not UTF-8, which a byte search would not see) or a lone surrogate (it has no UTF-8 form).
 */
export function byteNeedle(filter: LineFilter): Buffer | undefined {
  const needle = filter.needle;
  if (needle === undefined || needle === '' || needle.includes('\uFFFD') || LONE_SURROGATE.test(needle)) return undefined;
  return Buffer.from(needle, 'utf8');
}

/** Keeps the stored line `raw` (without its newline) when it passes the filter. */
function keep(out: LogLine[], raw: string, source: Source, filter: LineFilter, windowed: boolean): void {
  const parts = raw.length > 0 ? splitLogLine(raw) : undefined;
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
}

const isWindowed = (filter: LineFilter): boolean => filter.sinceMs !== undefined || filter.untilMs !== undefined;

/** The lines of one file's text that pass the filter, with level and message when parsed. */
export function scanFile(text: string, source: Source, filter: LineFilter): LogLine[] {
  const out: LogLine[] = [];
  const windowed = isWindowed(filter);
  if (filter.needle !== undefined) {
    // look only at the lines holding the needle, and at lines with a backslash
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
      keep(out, text.slice(start, end), source, filter, windowed);
      pos = end + 1;
    }
    return out;
  }
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    keep(out, text.slice(start, end), source, filter, windowed);
    start = end + 1;
  }
  return out;
}

/**
 * scanFile on a file's bytes, for a filter with a byte needle: the same walk over the lines
 * holding the needle or a backslash, decoding only those. A newline byte is never part of a
 * multi-byte UTF-8 character, so a line decoded alone reads as it does in the decoded file.
 */
export function scanBuffer(buf: Buffer, needle: Buffer, source: Source, filter: LineFilter): LogLine[] {
  const out: LogLine[] = [];
  const windowed = isWindowed(filter);
  let hit = buf.indexOf(needle);
  let escape = buf.indexOf(BACKSLASH);
  let pos = 0;
  for (;;) {
    if (hit >= 0 && hit < pos) hit = buf.indexOf(needle, pos);
    if (escape >= 0 && escape < pos) escape = buf.indexOf(BACKSLASH, pos);
    const next = hit < 0 ? escape : escape < 0 ? hit : Math.min(hit, escape);
    if (next < 0) break;
    const start = next === 0 ? 0 : buf.lastIndexOf(NEWLINE, next - 1) + 1;
    let end = buf.indexOf(NEWLINE, next);
    if (end < 0) end = buf.length;
    keep(out, buf.toString('utf8', start, end), source, filter, windowed);
    pos = end + 1;
  }
  return out;
}

/** Time of the stored line starting at `start`, undefined when it is not one. */
export function timeOfLine(text: string, start: number): number | undefined {
  const space = text.indexOf(' ', start);
  const newline = text.indexOf('\n', start);
  if (space < 0 || (newline >= 0 && newline < space)) return undefined;
  const time = Date.parse(text.slice(start, space));
  return Number.isNaN(time) ? undefined : time;
}

/** Time of a file's last line; +Infinity when it cannot be read, so the file is not skipped. */
export function lastTime(text: string): number {
  const end = text.endsWith('\n') ? text.length - 1 : text.length;
  const time = timeOfLine(text, text.lastIndexOf('\n', end - 1) + 1);
  return time ?? Number.POSITIVE_INFINITY;
}

/** timeOfLine on bytes. */
export function timeOfBufferLine(buf: Buffer, start: number): number | undefined {
  // Buffer#indexOf counts a negative or too large offset from the end: keep `start` in range
  if (start >= buf.length) return undefined;
  const space = buf.indexOf(SPACE, start);
  const newline = buf.indexOf(NEWLINE, start);
  if (space < 0 || (newline >= 0 && newline < space)) return undefined;
  const time = Date.parse(buf.toString('utf8', start, space));
  return Number.isNaN(time) ? undefined : time;
}

/** lastTime on bytes. */
export function lastBufferTime(buf: Buffer): number {
  const end = buf.length > 0 && buf[buf.length - 1] === NEWLINE ? buf.length - 1 : buf.length;
  // an empty file or a lone newline: no line to read (and a negative offset would wrap around)
  if (end === 0) return Number.POSITIVE_INFINITY;
  const time = timeOfBufferLine(buf, buf.lastIndexOf(NEWLINE, end - 1) + 1);
  return time ?? Number.POSITIVE_INFINITY;
}
