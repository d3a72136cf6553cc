// quantity: Kubernetes quantities as numbers, by the API's grammar — what metrics-server
// writes (nanocores, kibibytes) and what a user writes (250m, 1Gi, 128M, 1e3).

import { describe, expect, it } from 'vitest';
import { cpuPercent, memoryBytes, parseQuantity } from './quantity.js';

describe('parseQuantity', () => {
  it.each([
    ['1', 1], ['0.5', 0.5], ['.5', 0.5], ['2.', 2], ['+3', 3], ['-1.5', -1.5],
    ['5m', 0.005], ['250u', 0.00025], ['123456789n', 0.123456789],
    ['1k', 1000], ['128M', 128e6], ['2G', 2e9], ['1T', 1e12], ['1P', 1e15], ['1E', 1e18],
    ['123Ki', 123 * 1024], ['64Mi', 64 * 2 ** 20], ['1Gi', 2 ** 30], ['1.5Gi', 1.5 * 2 ** 30], ['2Ti', 2 ** 41], ['1Pi', 2 ** 50], ['1Ei', 2 ** 60],
    ['1e3', 1000], ['1E3', 1000], ['1.1k', 1100], ['12e-1', 1.2], ['5E+2', 500],
  ])('%s is %d', (q, value) => {
    expect(parseQuantity(q)).toBe(value);
  });

  it.each(['', '.', 'Mi', '1.2.3', '1 Gi', '1Ki ', '1KB', '1mi', '1ki', '0x10', '1e', '1e1.5', 'Infinity', '1e999'])('rejects %j, naming what', (q) => {
    expect(() => parseQuantity(q, 'the memory of pod web-1')).toThrow(expect.objectContaining({
      code: 'TUTTI_E_BAD_REQUEST',
      message: `the memory of pod web-1 ${JSON.stringify(q)} is not a Kubernetes quantity`,
    }));
  });
});

describe('cpuPercent', () => {
  it.each([
    ['1', 100], ['0.5', 50], ['250m', 25], ['5m', 0.5], ['1500m', 150], ['250000u', 25],
    ['123456789n', 12.3456789], ['1n', 1e-7], ['0', 0], ['2', 200],
  ])('%s is %d%% of a core', (q, percent) => {
    expect(cpuPercent(q)).toBe(percent);
  });
});

describe('memoryBytes', () => {
  it.each([
    ['123Ki', 125_952], ['64Mi', 67_108_864], ['1Gi', 1_073_741_824], ['1000', 1000], ['1e3', 1000], ['128M', 128_000_000],
    ['1.1k', 1100], ['0.5', 1], ['0.1Gi', 107_374_183], ['1500m', 2], ['0', 0],
  ])('%s is %d bytes', (q, bytes) => {
    expect(memoryBytes(q)).toBe(bytes);
  });
});
