// Ports for instances. An allocated port comes from the kernel (bind port 0 on 127.0.0.1 and
// read what it gave), never from a fixed range: a port picked from the ephemeral range can be
// taken in the meantime by an outgoing connection, including a probe's own TCP self-connect.

import net from 'node:net';

export async function allocatePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  server.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function portFor(specPort: number): Promise<number> {
  return specPort === 0 ? allocatePort() : specPort;
}

/** Whether nothing listens on the port (bind and release it again). */
export async function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  const server = net.createServer();
  server.unref();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => resolve(true));
  });
  if (ok) await new Promise<void>((resolve) => server.close(() => resolve()));
  return ok;
}
