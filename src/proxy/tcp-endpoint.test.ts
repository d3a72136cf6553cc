import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SELECTION } from '../core/index.js';
import { startEndpoint } from './endpoint.js';
import { tcpBackend, until, type Backend } from './test-backends.js';
import type { RequestOutcome, ServiceEndpoint, Target } from './types.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function backend(name: string): Promise<Backend> {
  const b = await tcpBackend(name);
  let closed = false;
  const close = b.close;
  b.close = async () => { if (!closed) { closed = true; await close(); } };
  closers.push(() => b.close());
  return b;
}

/** Connects, reads the greeting, sends a line and reads its echo; resolves with the greeting's name. */
function converse(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let data = '';
    s.setEncoding('utf8');
    s.on('connect', () => s.write(`${line}\n`));
    s.on('data', (d: string) => {
      data += d;
      const lines = data.split('\n');
      if (lines.length >= 3) {
        s.end();
        if (lines[1] !== line) reject(new Error(`echo was ${JSON.stringify(lines[1])}, not ${line}`));
        else resolve(lines[0]);
      }
    });
    s.on('error', reject);
    s.on('close', () => reject(new Error(`connection closed after ${JSON.stringify(data)}`)));
  });
}

describe('tcp endpoint', () => {
  it('balances connections over two instances and survives one going away', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const outcomes: RequestOutcome[] = [];
    const ep: ServiceEndpoint = await startEndpoint({
      service: 'db', host: '127.0.0.1', port: 0, protocol: 'tcp',
      selection: { ...DEFAULT_SELECTION, strategy: 'round-robin' },
      targets: (): Target[] => [a.target, b.target], // b stays listed after it is gone: the registry lags
      onOutcome: (o) => outcomes.push(o),
    });
    closers.push(() => ep.close());
    expect(ep.url).toBe(`tcp://127.0.0.1:${ep.port}`);
    expect(ep.protocol).toBe('tcp');

    const first = [];
    for (let i = 0; i < 10; i++) first.push(await converse(ep.port, `ping ${i}`));
    expect(first.filter((n) => n === 'a')).toHaveLength(5);
    expect(first.filter((n) => n === 'b')).toHaveLength(5);

    await b.close();
    const after = await Promise.all(Array.from({ length: 10 }, (_, i) => converse(ep.port, `pong ${i}`)));
    expect(after).toEqual(Array(10).fill('a'));

    await until(() => outcomes.filter((o) => o.status === 200).length === 20, 2000, 'twenty connection outcomes');
    const refused = outcomes.filter((o) => o.status === 0);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((o) => o.instance === 'b' && o.error === 'ECONNREFUSED' && o.method === 'CONNECT')).toBe(true);
    expect(ep.scores().map((s) => [s.id, s.requests > 0])).toEqual([['a', true], ['b', true]]);
  });

  it('closes the connection when no instance is there', async () => {
    const ep = await startEndpoint({ service: 'db', host: '127.0.0.1', port: 0, protocol: 'tcp', targets: () => [] });
    closers.push(() => ep.close());
    await expect(converse(ep.port, 'x')).rejects.toThrow(/closed|ECONNRESET/);
  });
});
