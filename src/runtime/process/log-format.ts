// The on-disk form of a captured line: `<ISO-8601 time> <stdout|stderr> <text>`, one per line.
// Plain text so `tail -f .tutti/logs/web/web-1.log` is useful without tutti, and cheap to
// parse back for `tutti logs`.

export type LogStream = 'stdout' | 'stderr';

export interface StoredLine {
  time: number;
  stream: LogStream;
  text: string;
}

export function formatLogLine(time: number, stream: LogStream, text: string): string {
  return `${new Date(time).toISOString()} ${stream} ${text}\n`;
}

/** Parses one stored line (without its newline); undefined for anything that is not one. */
export function parseLogLine(line: string): StoredLine | undefined {
  const parts = splitLogLine(line);
  if (!parts) return undefined;
  const time = Date.parse(parts.timeText);
  if (Number.isNaN(time)) return undefined;
  return { time, stream: parts.stream, text: parts.text };
}

/**
 * The parts of a stored line without reading its time, which costs more than the rest: a
 * reader filtering on the text reads the time of the lines it keeps only.
 */
export function splitLogLine(line: string): { timeText: string; stream: LogStream; text: string } | undefined {
  const first = line.indexOf(' ');
  if (first < 0) return undefined;
  const second = line.indexOf(' ', first + 1);
  const streamEnd = second < 0 ? line.length : second;
  const stream = line.slice(first + 1, streamEnd);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  return { timeText: line.slice(0, first), stream, text: second < 0 ? '' : line.slice(second + 1) };
}
