import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_LOG_MAX_AGE_MS, pruneLogs, scheduleRetention, type PruneOptions } from './log-retention.js';

const DAY = 86_400_000;
const now = Date.UTC(2026, 0, 31, 12);
let dir: string;

/** Creates logs/<rel> last written `ageDays` ago. */
function file(rel: string, ageDays: number): void {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, 'x\n');
  const at = (now - ageDays * DAY) / 1000;
  fs.utimesSync(p, at, at);
}

function tree(): string[] {
  const out: string[] = [];
  for (const service of fs.readdirSync(dir).sort()) {
    const names = fs.readdirSync(path.join(dir, service)).sort();
    out.push(`${service}/`, ...names.map((n) => `${service}/${n}`));
  }
  return out;
}

function prune(over: Partial<PruneOptions> & { live?: string[] } = {}): Promise<string[]> {
  const live = new Set(over.live ?? []);
  return pruneLogs({
    logsDir: dir,
    now,
    maxAgeOf: () => 7 * DAY,
    instanceExists: (_s, instance) => live.has(instance),
    serviceHasInstances: (service) => [...live].some((i) => i.startsWith(`${service}-`)),
    ...over,
  });
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-retention-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('log retention', () => {
  it('deletes rotated files past max_age and keeps the current file of a live instance however old', async () => {
    file('web/web-1.log', 30);   // quiet for a month, but still running
    file('web/web-1.log.1', 6);
    file('web/web-1.log.2', 8);
    file('web/web-1.log.3', 9);
    const removed = await prune({ live: ['web-1'] });
    expect(tree()).toEqual(['web/', 'web/web-1.log', 'web/web-1.log.1']);
    expect(removed.map((p) => path.relative(dir, p)).sort()).toEqual(['web/web-1.log.2', 'web/web-1.log.3']);
  });

  it('deletes every file of an instance that is gone once its newest line is past max_age, and its empty folder', async () => {
    file('web/web-1.log', 8);
    file('web/web-1.log.1', 9);
    file('web/web-2.log', 1);    // gone, but recent: kept, rotated files by age only
    file('web/web-2.log.1', 10);
    file('db/db-1.log', 20);
    file('db/db-1.log.1', 21);
    await prune();
    expect(tree()).toEqual(['web/', 'web/web-2.log']);
  });

  it('keeps the folder of a service with instances, even empty', async () => {
    file('web/web-1.log', 9);
    await prune({ live: ['web-7'] });
    expect(tree()).toEqual(['web/']);
  });

  it('uses each service its own max_age', async () => {
    file('web/web-1.log.1', 2);
    file('db/db-1.log.1', 2);
    await prune({ live: ['web-1', 'db-1'], maxAgeOf: (s) => (s === 'web' ? DAY : 7 * DAY) });
    expect(tree()).toEqual(['db/', 'db/db-1.log.1', 'web/']);
  });

  it('leaves files that are not logs alone, and copes with a missing folder', async () => {
    file('web/notes.txt', 30);
    fs.writeFileSync(path.join(dir, 'stray-file'), '');
    await prune();
    expect(fs.existsSync(path.join(dir, 'web', 'notes.txt'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'stray-file'))).toBe(true);
    await expect(pruneLogs({ logsDir: path.join(dir, 'nope'), maxAgeOf: () => DAY, instanceExists: () => false, serviceHasInstances: () => false })).resolves.toEqual([]);
  });

  it('defaults to 7 days', () => {
    expect(DEFAULT_LOG_MAX_AGE_MS).toBe(7 * DAY);
  });
});

describe('scheduleRetention', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('checks at once, then on its interval, never two at a time, and not after stop', async () => {
    let runs = 0;
    let release: () => void = () => {};
    const check = () => {
      runs++;
      return new Promise<void>((resolve) => (release = resolve));
    };
    const schedule = scheduleRetention(check, { intervalMs: 1000, onError: () => {} });
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(5000); // the first check is still running: no second one
    expect(runs).toBe(1);
    release();
    await schedule.first;
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
    release();
    await schedule.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports a failing check and goes on', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const schedule = scheduleRetention(
      async () => {
        runs++;
        throw new Error('disk gone');
      },
      { intervalMs: 1000, onError: (e) => errors.push(e) },
    );
    await schedule.first;
    await vi.advanceTimersByTimeAsync(1000);
    await schedule.stop();
    expect(runs).toBe(2);
    expect(errors.map((e) => (e as Error).message)).toEqual(['disk gone', 'disk gone']);
  });
});
