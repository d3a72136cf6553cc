// The runs' log: one pino-style JSON line per run and task event (started, completed, faulted),
// written where the process runtime keeps the services' logs — `<logs>/workflow:<name>/
// workflow:<name>.log`, in the runtime's own line format — so `GET /api/v1/logs?service=
// workflow:<name>` (and `tutti logs workflow:<name>`) reads them with since/until, grep and
// level working as for any service. Lines are batched per turn of the event loop and appended
// in order; the file rotates by size like the services' logs, and the runtime's retention
// deletes it once it has not been written for the default max age.

import fs from 'node:fs';
import path from 'node:path';
import { formatLogLine } from '../../runtime/process/log-format.js';

/** The pseudo-service (and instance) name of a workflow's log. */
export const workflowLogName = (workflow: string): string => `workflow:${workflow}`;

export interface RunLogRecord {
  level: 'info' | 'warn' | 'error';
  msg: string;
  run: string;
  task?: string;
  pointer?: string;
  [field: string]: unknown;
}

export interface RunLog {
  write(workflow: string, record: RunLogRecord): void;
  /** resolves once every line written so far is in its file */
  flushed(): Promise<void>;
  close(): Promise<void>;
}

export interface RunLogOptions {
  /** the runtime's logs folder (.tutti/logs) */
  dir: string;
  /** a file passing this many bytes is rotated; default 10 MiB */
  maxBytes?: number;
  /** rotated files kept; default 3 */
  keep?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
}

const PINO_LEVEL = { info: 30, warn: 40, error: 50 } as const;

interface FileQueue {
  lines: string[];
  /** the append in progress for this file */
  writing: Promise<void>;
  size?: number;
}

export function createRunLog(opts: RunLogOptions): RunLog {
  const maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
  const keep = opts.keep ?? 3;
  const now = opts.now ?? Date.now;
  const files = new Map<string, FileQueue>();
  let closed = false;

  const fileOf = (workflow: string) => {
    const name = workflowLogName(workflow);
    return path.join(opts.dir, name, `${name}.log`);
  };

  const rotate = async (file: string) => {
    for (let i = keep - 1; i >= 1; i--) await fs.promises.rename(`${file}.${i}`, `${file}.${i + 1}`).catch(() => {});
    await fs.promises.rename(file, `${file}.1`).catch(() => {});
  };

  const append = async (file: string, q: FileQueue) => {
    const text = q.lines.join('');
    q.lines = [];
    if (!text) return;
    try {
      if (q.size === undefined) q.size = await fs.promises.stat(file).then((s) => s.size, () => 0);
      if (q.size > 0 && q.size + text.length > maxBytes) {
        await rotate(file);
        q.size = 0;
      }
      // the folder may have been removed by the log retention since the last write
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      await fs.promises.appendFile(file, text);
      q.size += Buffer.byteLength(text);
    } catch (err) {
      q.size = undefined;
      opts.onError?.(err);
    }
  };

  return {
    write(workflow, record) {
      if (closed) return;
      const t = now();
      const { level, msg, ...rest } = record;
      const line = JSON.stringify({ level: PINO_LEVEL[level], time: t, msg, workflow, ...rest });
      const file = fileOf(workflow);
      let q = files.get(file);
      if (!q) files.set(file, (q = { lines: [], writing: Promise.resolve() }));
      const first = q.lines.length === 0;
      q.lines.push(formatLogLine(t, 'stdout', line)); // JSON has no raw newline
      // one append per file and turn of the event loop, each after the previous one
      if (first) {
        const queue = q;
        queue.writing = queue.writing.then(() => new Promise<void>((r) => setImmediate(r))).then(() => append(file, queue));
      }
    },
    async flushed() {
      await Promise.all([...files.values()].map((q) => q.writing));
    },
    async close() {
      closed = true;
      await Promise.all([...files.values()].map((q) => q.writing));
    },
  };
}
