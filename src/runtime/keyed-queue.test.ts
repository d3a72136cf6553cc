import { describe, expect, it } from 'vitest';
import { AsyncQueue } from './async-queue.js';
import { KeyedQueue } from './keyed-queue.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('keyed queue', () => {
  it('runs operations of one key in order and of different keys in parallel', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    let releaseA!: () => void;
    const a1 = queue.run('a', () => new Promise<void>((r) => (releaseA = () => { log.push('a1'); r(); })));
    const a2 = queue.run('a', async () => void log.push('a2'));
    const b1 = queue.run('b', async () => void log.push('b1'));
    await b1;
    await tick();
    expect(log).toEqual(['b1']);          // a2 waits for a1, b1 did not
    releaseA();
    await Promise.all([a1, a2]);
    expect(log).toEqual(['b1', 'a1', 'a2']);
  });

  it('goes on after a failed operation', async () => {
    const queue = new KeyedQueue();
    await expect(queue.run('a', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await queue.run('a', async () => 42)).toBe(42);
  });
});

describe('async queue', () => {
  it('delivers pushed values, then ends', async () => {
    const q = new AsyncQueue<number>();
    q.push(1);
    setImmediate(() => { q.push(2); q.end(); });
    const seen: number[] = [];
    for await (const v of q) seen.push(v);
    expect(seen).toEqual([1, 2]);
  });

  it('ends when the consumer breaks out, running finally hooks', async () => {
    const q = new AsyncQueue<number>();
    let cleaned = false;
    q.finally(() => (cleaned = true));
    q.push(1);
    for await (const v of q) { expect(v).toBe(1); break; }
    expect(cleaned).toBe(true);
  });
});
