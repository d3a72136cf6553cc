import { describe, expect, it } from 'vitest';
import { ChangeLog } from './change-log.js';
import type { RegistryInstance } from './types.js';

const instance = (id: string, service: string, modifyIndex: number): RegistryInstance => ({
  id, service, address: '127.0.0.1', port: 1, tags: [], meta: {}, status: 'passing', source: 'external', registeredAt: 0, modifyIndex,
});

function fill(log: ChangeLog, services: string[]): void {
  for (const s of services) log.append('registered', instance(`${s}-${log.index + 1}`, s, log.index + 1));
}

describe('ChangeLog', () => {
  it('numbers changes one by one and answers those after an index, oldest first', () => {
    const log = new ChangeLog(100);
    fill(log, ['a', 'b', 'a']);
    expect(log.index).toBe(3);
    expect(log.since(0).events.map((e) => e.index)).toEqual([1, 2, 3]);
    expect(log.since(1)).toMatchObject({ index: 3, reset: false });
    expect(log.since(1).events.map((e) => e.instance.id)).toEqual(['b-2', 'a-3']);
    expect(log.since(0, 'a').events.map((e) => e.index)).toEqual([1, 3]);
    expect(log.since(3)).toEqual({ index: 3, events: [], reset: false });
  });

  it.each([
    ['older than the kept history', 2, true],
    ['the oldest resumable index', 3, false],
    ['the current index', 8, false],
    ['ahead of the log (another daemon)', 9, true],
    ['negative', -1, true],
    ['not an integer', 4.5, true],
  ])('an index %s (%s) resets: %s', (_what, since, reset) => {
    const log = new ChangeLog(5);
    fill(log, ['a', 'a', 'a', 'a', 'a', 'a', 'a', 'a']);
    const batch = log.since(since);
    expect(batch.reset).toBe(reset);
    expect(batch.index).toBe(8);
    if (!reset) expect(batch.events.map((e) => e.index)).toEqual([4, 5, 6, 7, 8].filter((i) => i > since));
  });

  it('knows nothing before its start index (a restarted daemon)', () => {
    const log = new ChangeLog(100, 41);
    expect(log.since(41)).toEqual({ index: 41, events: [], reset: false });
    expect(log.since(40).reset).toBe(true);
    expect(log.since(0).reset).toBe(true);
    fill(log, ['a']);
    expect(log.since(41).events.map((e) => e.index)).toEqual([42]);
  });
});
