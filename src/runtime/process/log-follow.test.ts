import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../core/index.js';
import type { LogQuery } from '../contract.js';
import { followLogs } from './log-follow.js';
import { formatLogLine } from './log-format.js';

let dir: string;
let listeners: Set<(line: LogLine) => void>;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-follow-'));
  listeners = new Set();
  const t = Date.now() - 60_000;
  fs.mkdirSync(path.join(dir, 'api'));
  fs.writeFileSync(
    path.join(dir, 'api', 'api-1.log'),
    [
      formatLogLine(t, 'stdout', '{"level":30,"msg":"old info"}'),
      formatLogLine(t + 1, 'stdout', '{"level":50,"msg":"old error"}'),
      formatLogLine(t + 2, 'stderr', 'plain old'),
    ].join(''),
  );
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function follow(query: LogQuery, signal: AbortSignal) {
  return followLogs({
    logsDir: dir,
    query,
    signal,
    flushed: async () => {},
    subscribe: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  });
}

function emit(text: string, time = Date.now()): void {
  for (const fn of listeners) fn({ time, service: 'api', instance: 'api-1', stream: 'stdout', text });
}

describe('followLogs', () => {
  it('filters the history and the live lines alike, with level and message', async () => {
    const abort = new AbortController();
    const got: LogLine[] = [];
    const done = (async () => {
      for await (const line of follow({ level: 'warn', follow: true }, abort.signal)) {
        got.push(line);
        if (got.length === 1) {
          emit('{"level":30,"msg":"live info"}');
          emit('plain live');
          emit('{"level":40,"msg":"live warn"}');
        }
        if (got.length === 2) abort.abort();
      }
    })();
    await done;
    expect(got.map((l) => [l.level, l.message])).toEqual([['error', 'old error'], ['warn', 'live warn']]);
    expect(listeners.size).toBe(0);
  });

  it('does not follow when until has passed', async () => {
    const lines: LogLine[] = [];
    for await (const line of follow({ follow: true, grep: 'old', untilMs: Date.now() - 1000 }, AbortSignal.timeout(10_000))) lines.push(line);
    expect(lines.map((l) => l.text)).toEqual(['{"level":30,"msg":"old info"}', '{"level":50,"msg":"old error"}', 'plain old']);
    expect(listeners.size).toBe(0);
  });

  it('ends a follow once until is reached, and drops live lines written after it', async () => {
    const until = Date.now() + 300;
    const lines = follow({ follow: true, grep: 'live', untilMs: until }, AbortSignal.timeout(10_000));
    emit('live before until');
    emit('live after until', until + 1);
    const got: string[] = [];
    for await (const line of lines) got.push(line.text); // ends by itself
    expect(got).toEqual(['live before until']);
    expect(Date.now()).toBeGreaterThanOrEqual(until);
    expect(listeners.size).toBe(0);
  });

  it('fails the iteration with a bad-request error for a bad regex', async () => {
    await expect(async () => {
      for await (const _ of follow({ grep: '/[/', follow: true }, AbortSignal.timeout(10_000))) void _;
    }).rejects.toMatchObject({ code: 'TUTTI_E_BAD_REQUEST' });
  });
});
