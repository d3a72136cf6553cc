import { describe, expect, it } from 'vitest';
import { cpuQuantity, memoryQuantity, resourcesOf } from './render-resources.js';

describe('quantities, as the API server stores them', () => {
  it.each([
    [512 * 2 ** 20, '512Mi'], [2 ** 30, '1Gi'], [1536, '1536'], [1_000_000_000, '1G'], [1000, '1k'],
    [2_048_000, '2000Ki'], [999, '999'], [3 * 2 ** 40, '3Ti'], [5_000_000, '5M'],
  ])('memory %d → %s', (bytes, text) => {
    expect(memoryQuantity(bytes)).toBe(text); // 1536 = 1.5Ki: no whole Ki nor k, so bytes
  });

  it.each([[250, '250m'], [1000, '1'], [1500, '1500m'], [2000, '2']])('cpu %dm → %s', (m, text) => {
    expect(cpuQuantity(m)).toBe(text);
  });

  it('leaves out what the manifest does not say', () => {
    expect(resourcesOf({ limits: { memoryBytes: 2 ** 28 } })).toEqual({ limits: { memory: '256Mi' } });
    expect(resourcesOf({})).toEqual({});
  });
});
