import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { allocatePort, portFor } from './port.js';

describe('port allocation', () => {
  it('hands out a free port that can be bound right away', async () => {
    const port = await allocatePort();
    expect(port).toBeGreaterThan(0);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((r) => server.close(r));
  });

  it('keeps a fixed port as given', async () => {
    expect(await portFor(4321)).toBe(4321);
    expect(await portFor(0)).not.toBe(0);
  });
});
