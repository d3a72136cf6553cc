// object-diff: when a re-apply can be skipped.

import { describe, expect, it } from 'vitest';
import { contains, upToDate } from './object-diff.js';

describe('contains', () => {
  it.each([
    ['equal scalars', 1, 1, true],
    ['different scalars', 1, 2, false],
    ['a number where a string was set', 8080, '8080', false],
    ['fields the server added', { a: 1, b: { c: 2, d: 3 } }, { b: { c: 2 } }, true],
    ['a changed nested field', { a: 1, b: { c: 5 } }, { b: { c: 2 } }, false],
    ['a missing field', { a: 1 }, { a: 1, b: 2 }, false],
    ['lists item by item, with added fields', [{ name: 'x', value: '1', extra: true }], [{ name: 'x', value: '1' }], true],
    ['a list of another length', [{ name: 'x' }, { name: 'y' }], [{ name: 'x' }], false],
    ['lists in another order', [{ name: 'y' }, { name: 'x' }], [{ name: 'x' }, { name: 'y' }], false],
    ['undefined in what is wanted', { a: 1 }, { a: 1, b: undefined }, true],
    ['an object where a list was set', { 0: 'a' }, ['a'], false],
  ])('%s', (_title, live, desired, expected) => {
    expect(contains(live, desired)).toBe(expected);
  });
});

describe('upToDate', () => {
  const desired = { metadata: { name: 'web', annotations: { 'tutti.dev/applied': 'abc' } }, spec: { replicas: 2 } };
  it.each([
    ['nothing live', undefined, false],
    ['the same hash and fields, plus defaults', { metadata: { name: 'web', uid: 'u', annotations: { 'tutti.dev/applied': 'abc', other: 'x' } }, spec: { replicas: 2, paused: false } }, true],
    ['another hash (tutti applied something else last)', { metadata: { name: 'web', annotations: { 'tutti.dev/applied': 'old' } }, spec: { replicas: 2 } }, false],
    ['the same hash but a field changed by someone else', { metadata: { name: 'web', annotations: { 'tutti.dev/applied': 'abc' } }, spec: { replicas: 5 } }, false],
  ])('%s', (_title, live, expected) => {
    expect(upToDate(live, desired)).toBe(expected);
  });
});
