// Graceful close for the HTTP server. Node's server.close() ends the keep-alive connections
// that are idle and lets requests in flight finish, but a connection that never carried a
// request is neither, and holds close() until the client lets go of it: fetch (undici) opens
// such a spare connection after a stream is aborted and keeps it for its keep-alive timeout.

import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';

export function drainConnectionsOnClose(app: FastifyInstance): void {
  const inFlight = new Map<Socket, number>();

  app.server.on('connection', (socket: Socket) => {
    inFlight.set(socket, 0);
    socket.once('close', () => inFlight.delete(socket));
  });

  app.server.on('request', (req, res) => {
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const n = inFlight.get(socket);
      if (n !== undefined) inFlight.set(socket, Math.max(0, n - 1));
    });
  });

  app.addHook('preClose', async () => {
    for (const [socket, n] of inFlight) if (n === 0) socket.destroy();
  });
}
