import { describe, expect, it } from 'vitest';
import { testServiceSpec } from '../../core/test-service-spec.js';
import { formatMemory, memoryCheckIntervalFromEnv, memoryLimitOf, overMemoryLimit } from './memory-limit.js';

const MiB = 1024 * 1024;

describe('memory limit', () => {
  it('reads limits.memoryBytes only: cpu and requests do nothing on local processes', () => {
    expect(memoryLimitOf(testServiceSpec('web'))).toBeUndefined();
    expect(memoryLimitOf(testServiceSpec('web', { resources: { limits: { memoryBytes: 96 * MiB, cpuMillis: 500 } } }))).toBe(96 * MiB);
    expect(memoryLimitOf(testServiceSpec('web', { resources: { requests: { memoryBytes: 64 * MiB }, limits: { cpuMillis: 500 } } }))).toBeUndefined();
    expect(memoryLimitOf(testServiceSpec('web', { resources: { limits: { memoryBytes: 0 } } }))).toBeUndefined();
  });

  it('flags a sample above the limit, not one at or below it, nor an instance without a sample', () => {
    const watched = [
      { id: 'web-1', pgid: 10, limitBytes: 128 * MiB },
      { id: 'web-2', pgid: 11, limitBytes: 128 * MiB },
      { id: 'web-3', pgid: 12, limitBytes: 128 * MiB },
      { id: 'api-1', pgid: 13, limitBytes: 1.5 * 1024 * MiB },
    ];
    const rss = new Map([[10, 212 * MiB], [11, 128 * MiB], [13, 2 * 1024 * MiB]]);
    expect(overMemoryLimit(watched, rss)).toEqual([
      { id: 'web-1', pgid: 10, limitBytes: 128 * MiB, rssBytes: 212 * MiB, cause: 'resident memory 212 MiB passed the limit 128 MiB' },
      { id: 'api-1', pgid: 13, limitBytes: 1.5 * 1024 * MiB, rssBytes: 2 * 1024 * MiB, cause: 'resident memory 2 GiB passed the limit 1.5 GiB' },
    ]);
  });

  it.each([
    [512, '512 bytes'],
    [1536, '1.5 KiB'],
    [96 * MiB, '96 MiB'],
    [476.84 * MiB, '477 MiB'],
    [9.96 * MiB, '10 MiB'],
    [1024 * MiB, '1 GiB'],
  ])('writes %d bytes as %s', (bytes, text) => {
    expect(formatMemory(bytes)).toBe(text);
  });

  it.each([
    [undefined, undefined],
    ['', undefined],
    ['250', 250],
    ['0', 'invalid'],
    ['-5', 'invalid'],
    ['2s', 'invalid'],
    ['1.5', 'invalid'],
  ])('reads TUTTI_MEMORY_CHECK_MS=%s as %s', (value, ms) => {
    expect(memoryCheckIntervalFromEnv(value)).toBe(ms);
  });
});
