import { describe, expect, it } from 'vitest';
import type { Matcher } from '../promql/index.js';
import { LabelIndex } from './label-index.js';

const SERIES: Array<[number, Record<string, string>]> = [
  [1, { __name__: 'up', job: 'api', instance: 'a' }],
  [2, { __name__: 'up', job: 'api', instance: 'b' }],
  [3, { __name__: 'up', job: 'db', instance: 'c' }],
  [4, { __name__: 'up', job: 'api-canary', instance: 'd', zone: 'eu' }],
  [5, { __name__: 'other', job: 'api', instance: 'a' }],
];

function index(): LabelIndex {
  const ix = new LabelIndex();
  for (const [id, labels] of SERIES) ix.add(id, labels);
  return ix;
}

const m = (name: string, op: Matcher['op'], value: string): Matcher => ({ name, op, value });
const sorted = (ids: ReadonlySet<number> | undefined) => (ids ? [...ids].sort((a, b) => a - b) : 'all');

describe('LabelIndex.candidates', () => {
  it.each([
    ['one equality', [m('__name__', '=', 'up')], [1, 2, 3, 4]],
    ['equalities intersect', [m('__name__', '=', 'up'), m('job', '=', 'api')], [1, 2]],
    ['an unknown value', [m('job', '=', 'web')], []],
    ['an unknown label', [m('rack', '=', 'r1')], []],
    ['an anchored regex over the values', [m('job', '=~', 'api')], [1, 2, 5]],
    ['a regex alternative', [m('job', '=~', 'api.*|db')], [1, 2, 3, 4, 5]],
    ['a negative regex that rejects ""', [m('zone', '!~', '')], [4]],
    ['regex and equality', [m('__name__', '=', 'up'), m('instance', '=~', 'a|c')], [1, 3]],
    // Matchers that accept a missing label cannot narrow: every series is a candidate.
    ['a negative equality', [m('job', '!=', 'api')], 'all'],
    ['an empty equality', [m('zone', '=', '')], 'all'],
    ['a regex matching ""', [m('zone', '=~', 'eu|')], 'all'],
    ['no matchers', [], 'all'],
    // …but they do not stop the others from narrowing.
    ['negative beside equality', [m('job', '!=', 'api'), m('__name__', '=', 'other')], [5]],
  ])('%s', (_, matchers, expected) => {
    expect(sorted(index().candidates(matchers))).toEqual(expected);
  });
});

describe('LabelIndex maintenance', () => {
  it('forgets a removed series and empty postings', () => {
    const ix = index();
    ix.remove(4, SERIES[3][1]);
    expect([...ix.values('zone')]).toEqual([]);
    expect([...ix.values('job')].sort()).toEqual(['api', 'db']);
    expect(sorted(ix.candidates([m('__name__', '=', 'up')]))).toEqual([1, 2, 3]);
    ix.remove(5, SERIES[4][1]);
    expect([...ix.values('__name__')]).toEqual(['up']);
    expect(sorted(ix.ids('instance', 'a'))).toEqual([1]);
  });
});
