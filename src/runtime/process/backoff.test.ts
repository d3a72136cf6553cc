import { describe, expect, it } from 'vitest';
import type { BackoffSpec } from '../../core/index.js';
import { describeExit, exitVerdict, isCrashLooping, nextCrashCount, restartDelayMs } from './backoff.js';

const backoff: BackoffSpec = { initialMs: 100, factor: 2, maxMs: 1000, resetAfterMs: 30_000 };

describe('restart backoff', () => {
  it.each([
    [1, 0],      // the first restart is immediate
    [2, 100],
    [3, 200],
    [4, 400],
    [5, 800],
    [6, 1000],   // capped
    [20, 1000],
  ])('waits %i crashes -> %i ms', (crashes, delay) => {
    expect(restartDelayMs(crashes, backoff)).toBe(delay);
  });

  it('resets the crash count after a stable period', () => {
    expect(nextCrashCount(4, 29_999, backoff)).toBe(5);
    expect(nextCrashCount(4, 30_000, backoff)).toBe(1);
    expect(nextCrashCount(0, 10, backoff)).toBe(1);
  });

  it('calls three crashes in a row a crash loop', () => {
    expect([1, 2, 3, 4].map(isCrashLooping)).toEqual([false, false, true, true]);
  });
});

describe('exit verdict', () => {
  it.each([
    ['always', 0, null, 'restart'],
    ['always', 1, null, 'restart'],
    ['on-failure', 0, null, 'completed'],
    ['on-failure', 1, null, 'restart'],
    ['on-failure', null, 'SIGKILL', 'restart'],
    ['on-failure', null, null, 'restart'],   // died unsupervised, exit code unknown
    ['never', 0, null, 'completed'],
    ['never', 2, null, 'failed'],
    ['never', null, 'SIGSEGV', 'failed'],
  ] as const)('%s with code %s signal %s -> %s', (policy, code, signal, verdict) => {
    expect(exitVerdict(policy, { code, signal })).toBe(verdict);
  });

  it('restarts (or fails) a clean exit the supervisor caused, over a memory limit', () => {
    expect(exitVerdict('on-failure', { code: 0, signal: null }, { failure: true })).toBe('restart');
    expect(exitVerdict('always', { code: 0, signal: null }, { failure: true })).toBe('restart');
    expect(exitVerdict('never', { code: 0, signal: null }, { failure: true })).toBe('failed');
  });

  it('describes exits in words', () => {
    expect(describeExit({ code: 3, signal: null })).toBe('exited with code 3');
    expect(describeExit({ code: null, signal: 'SIGKILL' })).toBe('was killed by SIGKILL');
    expect(describeExit({ code: null, signal: null })).toBe('exited (exit code unknown)');
  });
});
