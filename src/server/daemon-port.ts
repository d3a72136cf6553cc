// The control plane's port, kept across daemon restarts like the stable endpoints' ports: the
// services tutti starts get its URL (TUTTI_URL, for the client SDK) and keep running when the
// daemon restarts, so the next daemon listens where the last one did when it can.

import net from 'node:net';

const KEY = 'daemon.port';

export interface PortMemory {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/** The port to listen on: the asked one (no fallback), else the remembered one if it is free, else any. */
export async function choosePort(host: string, asked: number | undefined, memory: PortMemory): Promise<number> {
  if (asked) return asked;
  const remembered = Number((await memory.get(KEY)) ?? 0);
  if (remembered > 0 && remembered < 65536 && (await isFree(host, remembered))) return remembered;
  return freePort(host);
}

export async function rememberPort(port: number, memory: PortMemory): Promise<void> {
  await memory.set(KEY, String(port));
}

function isFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
