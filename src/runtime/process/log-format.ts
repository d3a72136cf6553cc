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
  const first = line.indexOf(' ');
  if (first < 0) return undefined;
  const second = line.indexOf(' ', first + 1);
  const streamEnd = second < 0 ? line.length : second;
  const stream = line.slice(first + 1, streamEnd);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const time = Date.parse(line.slice(0, first));
  if (Number.isNaN(time)) return undefined;
  return { time, stream, text: second < 0 ? '' : line.slice(second + 1) };
}
