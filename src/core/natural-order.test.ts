import { describe, expect, it } from 'vitest';
import { naturalCompare } from './natural-order.js';

describe('naturalCompare', () => {
  it('orders digit runs as numbers', () => {
    const names = ['web-10', 'web-2', 'api-1', 'web-1', 'web-2.log.10', 'web-2.log.9', 'web-2.log'];
    expect([...names].sort(naturalCompare)).toEqual(['api-1', 'web-1', 'web-2', 'web-2.log', 'web-2.log.9', 'web-2.log.10', 'web-10']);
  });

  it.each([
    ['a', 'a', 0], ['a', 'b', -1], ['b', 'a', 1], ['x9', 'x10', -1], ['x', 'x1', -1], ['7', '007', -1],
  ])('%s vs %s -> %i', (a, b, expected) => expect(Math.sign(naturalCompare(a, b))).toBe(expected));
});
