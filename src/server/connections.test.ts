import Fastify, { type FastifyInstance } from 'fastify';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { drainConnectionsOnClose } from './connections.js';

let app: FastifyInstance;
afterEach(() => app?.close());

async function listen(setup: (app: FastifyInstance) => void): Promise<number> {
  app = Fastify();
  drainConnectionsOnClose(app);
  setup(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as AddressInfo).port;
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms}ms`)), ms))),
  ]);
}

describe('drainConnectionsOnClose', () => {
  it('does not let a connection without a request hold the server open', async () => {
    const port = await listen(() => {});
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const closed = new Promise((r) => socket.once('close', r));
    await within(app.close(), 2000, 'close');
    await closed;
  });

  it('lets a request in flight finish before the server closes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => (entered = r));
    let draining!: () => void;
    const drained = new Promise<void>((r) => (draining = r));
    const port = await listen((a) => {
      a.addHook('preClose', async () => draining()); // runs after the drain's own preClose
      a.get('/slow', async () => {
        entered();
        await gate;
        return { done: true };
      });
    });
    const answer = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.json());
    await inHandler;
    const closing = app.close();
    await drained;
    release();
    expect(await answer).toEqual({ done: true });
    await within(closing, 2000, 'close');
  });
});
