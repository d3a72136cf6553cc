import { describe, expect, it } from 'vitest';
import { formatPromDuration, parsePromDuration } from './duration.js';
import { goPow, isStale, mean, parseGoFloat, STALE } from './floats.js';

describe('STALE', () => {
  it('is the NaN with Prometheus\' StaleNaN bits, 0x7ff0000000000002', () => {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, STALE);
    expect(view.getBigUint64(0)).toBe(0x7ff0000000000002n);
  });

  it('is told apart from an ordinary NaN', () => {
    expect(isStale(STALE)).toBe(true);
    expect(isStale({ t: 1, v: STALE }.v)).toBe(true);
    expect(isStale(NaN)).toBe(false);
    expect(isStale(0 / 0)).toBe(false);
    expect(isStale(1)).toBe(false);
  });
});

describe('durations', () => {
  it.each([
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['2w', 14 * 86_400_000],
    ['1y', 365 * 86_400_000],
    ['1d12h', 129_600_000],
    ['250ms', 250],
    ['1s500ms', 1500],
    ['0', 0],
    ['5x', undefined],
    ['5m1h', undefined],
    ['1.5h', undefined],
    ['5', undefined],
    ['', undefined],
    ['m', undefined],
  ])('parse %j → %s', (text, ms) => {
    expect(parsePromDuration(text)).toBe(ms);
  });

  it.each([
    [300_000, '5m'],
    [5_400_000, '1h30m'],
    [14 * 86_400_000, '2w'],
    [90 * 86_400_000, '90d'],
    [365 * 86_400_000, '1y'],
    [1500, '1s500ms'],
    [0, '0s'],
  ])('format %d → %s', (ms, text) => {
    expect(formatPromDuration(ms)).toBe(text);
  });
});

describe('Go float semantics', () => {
  it.each([
    [1, NaN, 1],
    [-1, Infinity, 1],
    [-1, -Infinity, 1],
    [2, 10, 1024],
    [NaN, 0, 1],
  ])('goPow(%d, %d) = %d', (x, y, expected) => {
    expect(goPow(x, y)).toBe(expected);
  });

  it.each([
    ['+Inf', Infinity],
    ['Inf', Infinity],
    ['-inf', -Infinity],
    ['0.25', 0.25],
    ['1e-3', 0.001],
    ['10', 10],
    ['.5', 0.5],
    ['', undefined],
    [' 1', undefined],
    ['0x10', undefined],
    ['+NaN', undefined],
    ['abc', undefined],
  ])('parseGoFloat(%j) = %s', (text, expected) => {
    expect(parseGoFloat(text)).toBe(expected);
  });

  it('falls back to an incremental mean when the sum would overflow', () => {
    // A plain sum would be Infinity; the incremental mean stays within an ulp or two.
    expect(mean([Number.MAX_VALUE, Number.MAX_VALUE, Number.MAX_VALUE]) / Number.MAX_VALUE).toBeCloseTo(1, 12);
    expect(mean([1, 2, 3, 4])).toBe(2.5);
  });
});
