// Linux /proc readings shared by the benchmarks, so every tool is measured the same way from
// the outside: which ports are listening, which process owns a listening port, how much
// resident memory a process holds. No tool's own reporting is trusted for these figures.
import { readFile, readdir, readlink } from 'node:fs/promises';
import net from 'node:net';

/** Ports in LISTEN state (IPv4 and IPv6), mapped to the socket's inode. */
export async function listeningSockets() {
  const sockets = new Map();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue; // no IPv6 in this namespace
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A') continue; // 0A = TCP_LISTEN
      const port = parseInt(f[1].split(':')[1], 16);
      sockets.set(port, f[9]);
    }
  }
  return sockets;
}

/** The pid of the process holding the listening socket of `port`, or undefined. */
export async function listenerPid(port) {
  const inode = (await listeningSockets()).get(port);
  if (!inode) return undefined;
  const wanted = `socket:[${inode}]`;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds;
    try {
      fds = await readdir(`/proc/${entry}/fd`);
    } catch {
      continue; // gone, or not ours to look at
    }
    for (const fd of fds) {
      try {
        if ((await readlink(`/proc/${entry}/fd/${fd}`)) === wanted) return Number(entry);
      } catch {
        // the fd closed while we looked
      }
    }
  }
  return undefined;
}

/** Resident memory of a process in bytes (VmRSS), or undefined if it is gone. */
export async function rssBytes(pid) {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Private memory (USS): resident pages no other process shares. RSS also counts the pages of
 * the node binary, which every Node process on the machine shares (the 50 services too).
 */
export async function ussBytes(pid) {
  try {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
    return (kb('Private_Clean') + kb('Private_Dirty')) * 1024;
  } catch {
    return undefined;
  }
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * `count` distinct free ports on 127.0.0.1, chosen by the kernel (bind port 0), never from a
 * fixed range. All are held open at once so they differ, then released for the tools to use.
 */
export async function allocatePorts(count) {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
