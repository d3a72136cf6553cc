// Test helpers for the endpoint tests: real in-process backends on real sockets whose
// behaviour (added latency, status) can be changed mid-test, and a closed-loop load generator.

import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Target } from './types.js';

export interface Backend {
  target: Target;
  /** requests (http) or connections (tcp) it received */
  hits: number;
  /** ms since epoch of every hit */
  hitTimes: number[];
  delayMs: number;
  status: number;
  lastHeaders?: http.IncomingHttpHeaders;
  /** connections open to it now */
  connections(): Promise<number>;
  close(): Promise<void>;
}

const countConnections = (server: net.Server) => (): Promise<number> =>
  new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));

/** An HTTP server answering `<name> <method> <url>` after `delayMs`, with `status`. */
export async function httpBackend(name: string, opts: { delayMs?: number; status?: number } = {}): Promise<Backend> {
  const server = http.createServer((req, res) => {
    b.hits += 1;
    b.hitTimes.push(Date.now());
    b.lastHeaders = req.headers;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = () => {
        const body = `${name} ${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`.trimEnd();
        res.writeHead(b.status, { 'content-type': 'text/plain', 'x-backend': name });
        res.end(body);
      };
      if (b.delayMs > 0) setTimeout(answer, b.delayMs);
      else answer();
    });
  });
  const port = await listen(server);
  const b: Backend = {
    target: { id: name, address: '127.0.0.1', port, health: 'passing' },
    hits: 0,
    hitTimes: [],
    delayMs: opts.delayMs ?? 0,
    status: opts.status ?? 200,
    connections: countConnections(server),
    close: () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
  return b;
}

/** A TCP server that greets each connection with `<name>\n` and echoes what it receives. */
export async function tcpBackend(name: string): Promise<Backend> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    b.hits += 1;
    b.hitTimes.push(Date.now());
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    s.write(`${name}\n`);
    s.pipe(s);
  });
  const port = await listen(server);
  const b: Backend = {
    target: { id: name, address: '127.0.0.1', port, health: 'passing' },
    hits: 0,
    hitTimes: [],
    delayMs: 0,
    status: 200,
    connections: countConnections(server),
    close: () => new Promise((r) => {
      server.close(() => r());
      for (const s of sockets) s.destroy();
    }),
  };
  return b;
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/**
 * Sends `total` GETs from `concurrency` loops, each waiting for its answer before sending the
 * next; `onEach(i)` runs before request i (to change the world mid-load). Returns the statuses
 * and which backend answered each.
 */
export async function load(url: string, total: number, concurrency: number, onEach?: (i: number) => void | Promise<void>) {
  const statuses: number[] = [];
  const by = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      await onEach?.(i);
      try {
        const res = await fetch(`${url}/r${i}`);
        await res.text();
        statuses.push(res.status);
        const who = res.headers.get('x-backend') ?? 'none';
        by.set(who, (by.get(who) ?? 0) + 1);
      } catch {
        statuses.push(0);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { statuses, by, share: (name: string) => (by.get(name) ?? 0) / total };
}

/** Polls `check` until it returns true; fails after `deadlineMs`. */
export async function until(check: () => boolean | Promise<boolean>, deadlineMs: number, what: string): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
