import { describe, expect, it } from 'vitest';
import { EventConsumption, literalMatches, type StrategyEvaluator } from './consumption.js';
import type { CloudEvent } from './types.js';

const ev = (type: string, data?: unknown, extra: Record<string, unknown> = {}): CloudEvent => ({ specversion: '1.0', id: Math.random().toString(36), source: '/s', type, data, ...extra });

/** expressions as JS functions by pointer (the engine evaluates jq; the logic here is the same) */
function evaluator(exprs: Record<string, (input: unknown) => unknown>, expected: Record<string, unknown> = {}): StrategyEvaluator {
  return {
    isExpression: (p) => p in exprs,
    evaluate: (p, input) => exprs[p](input),
    expected: (p) => expected[p],
  };
}

describe('literalMatches', () => {
  const cases: Array<[unknown, unknown, boolean]> = [
    ['order.placed', 'order.placed', true],
    ['order.placed', 'orderXplaced', false], // a dot alone is not a regular expression
    ['order\\.(placed|paid)', 'order.paid', true],
    ['order\\.(placed|paid)', 'order.paid.v2', false], // anchored
    ['ord[', 'ord[', true], // an invalid regex still matches itself
    ['5', 5, true],
    ['true', true, true],
    ['x', undefined, false],
    ['x', { a: 1 }, false],
    [{ kind: 'a' }, { kind: 'a', other: 1 }, true],
    [{ kind: 'a', nested: { n: 1 } }, { kind: 'a', nested: { n: 1, m: 2 } }, true],
    [{ kind: 'a' }, { kind: 'b' }, false],
    [{ kind: 'a' }, 'a', false],
    [[1, 2], [1, 2], true],
    [[1, 2], [2, 1], false],
    [3, 3, true],
  ];
  it.each(cases)('%j against %j → %s', (want, have, result) => {
    expect(literalMatches(want, have)).toBe(result);
  });
});

describe('EventConsumption', () => {
  it('all: each filter takes one event, in any order; correlation shared across filters', () => {
    const c = new EventConsumption(
      { all: [{ with: { type: 'a' }, correlate: { k: { from: 'x' } } }, { with: { type: 'b' }, correlate: { k: { from: 'x' } } }] },
      '/to',
      evaluator({ '/to/all/0/correlate/k/from': (e) => (e as CloudEvent).subject, '/to/all/1/correlate/k/from': (e) => (e as CloudEvent).subject }),
    );
    const s = c.initial();
    expect(c.offer(ev('b', 1, { subject: 'o1' }), s)).toBe('consume');
    expect(s.correlations).toEqual({ k: 'o1' });
    expect(c.offer(ev('b', 2, { subject: 'o1' }), s)).toBe('ignore'); // b already taken
    expect(c.offer(ev('a', 3, { subject: 'o2' }), s)).toBe('ignore'); // another key
    expect(c.received(s)).toBe(false);
    expect(c.offer(ev('a', 4, { subject: 'o1' }), s)).toBe('consume');
    expect(c.received(s)).toBe(true);
    expect(c.offer(ev('a', 5, { subject: 'o1' }), s)).toBe('ignore');
  });

  it('expressions: a boolean is the verdict, another value must equal the attribute, a failure is no match', () => {
    const c = new EventConsumption(
      { any: [{ with: { type: 'reading', data: '${ .t > 38 }', source: '${ "/s" }' } }] },
      '/to',
      evaluator({
        '/to/any/0/with/data': (d) => {
          if (typeof d !== 'object' || d === null) throw new Error('cannot index');
          return (d as { t: number }).t > 38;
        },
        '/to/any/0/with/source': () => '/s',
      }),
    );
    const s = c.initial();
    expect(c.offer(ev('reading', 'text'), s)).toBe('ignore');
    expect(c.offer(ev('reading', { t: 37 }), s)).toBe('ignore');
    expect(c.offer(ev('reading', { t: 39 }, { source: '/other' }), s)).toBe('ignore');
    expect(c.offer(ev('reading', { t: 39 }), s)).toBe('consume');
    expect(c.received(s)).toBe(true); // any without until: the first event is enough
  });

  it('correlate.expect compares with the expected value', () => {
    const c = new EventConsumption({ one: { with: { type: 'p' }, correlate: { order: { from: '.subject', expect: '${ .id }' } } } }, '/to', evaluator({ '/to/one/correlate/order/from': (e) => (e as CloudEvent).subject }, { '/to/one/correlate/order/expect': 'o9' }));
    const s = c.initial();
    expect(c.offer(ev('p', 1, { subject: 'o1' }), s)).toBe('ignore');
    expect(c.offer(ev('p', 1), s)).toBe('ignore'); // no value to correlate
    expect(c.offer(ev('p', 1, { subject: 'o9' }), s)).toBe('consume');
  });

  it('any + until strategy: until events are counted apart and end the consumption', () => {
    const c = new EventConsumption({ any: [], until: { one: { with: { type: 'stop' } } } }, '/to', evaluator({}));
    const s = c.initial();
    expect(c.offer(ev('x'), s)).toBe('consume');
    expect(c.offer(ev('y'), s)).toBe('consume');
    expect(c.received(s)).toBe(false);
    expect(c.offer(ev('stop'), s)).toBe('until');
    expect(c.received(s)).toBe(true);
    expect(c.offer(ev('z'), s)).toBe('ignore');
    expect(s.count).toBe(2);
  });

  it('any + until expression: never done by itself (the caller evaluates it)', () => {
    const c = new EventConsumption({ any: [], until: '. | length > 1' }, '/to', evaluator({}));
    const s = c.initial();
    c.offer(ev('x'), s);
    c.offer(ev('x'), s);
    expect(c.untilExpression).toBe(true);
    expect(c.received(s)).toBe(false);
  });
});
