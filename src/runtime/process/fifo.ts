// Named pipes that carry an instance's stdout and stderr. They, not pipes to the daemon, are
// what makes output capture survive a daemon restart: the child's end is opened read-write,
// so the child itself always holds a reader and never gets SIGPIPE while no daemon reads
// (the kernel buffers 64 KiB, then the child blocks until a daemon reads again).

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Creates the FIFO unless a FIFO is already there (a stale regular file is replaced). */
export async function ensureFifo(path: string): Promise<void> {
  try {
    const stat = await fs.promises.lstat(path);
    if (stat.isFIFO()) return;
    await fs.promises.rm(path, { force: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    await execFileAsync('mkfifo', ['-m', '600', path]);
  } catch (err) {
    // two callers racing for the same path is fine as long as a FIFO is there now
    const stat = await fs.promises.lstat(path).catch(() => undefined);
    if (!stat?.isFIFO()) throw new Error(`cannot create ${path}: ${(err as Error).message}`);
  }
}

/** The child's end: read-write, so the child never finds its FIFO without a reader. */
export function openChildEnd(path: string): number {
  return fs.openSync(path, fs.constants.O_RDWR);
}

/**
 * The daemon's end: a non-blocking read-only fd wrapped as a libuv pipe handle, so reading
 * never occupies a thread-pool thread (fs streams on a FIFO would block one per stream).
 * It ends once every process holding the child's end has exited.
 */
export function openReader(path: string): net.Socket {
  const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    return new net.Socket({ fd, readable: true, writable: false });
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

export async function removeFifo(path: string): Promise<void> {
  await fs.promises.rm(path, { force: true });
}
