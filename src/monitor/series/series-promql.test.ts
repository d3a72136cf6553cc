import { describe, expect, it } from 'vitest';
import { evaluate, isStale, parseExpr, type Value } from '../promql/index.js';
import { createSeriesStore, type SeriesStore } from './series-store.js';

// The store as the alert evaluator reads it: instances sampled every 5 s for 10 minutes.
const S = 1000;
const T = 600 * S;

function sampled(): SeriesStore {
  const st = createSeriesStore();
  for (let t = 5 * S; t <= T; t += 5 * S) {
    for (const [service, instance] of [['api', 'api-1'], ['api', 'api-2'], ['db', 'db-1']]) {
      st.append('up', { service, instance }, t, 1);
      // 10 requests per 5 s on api-1, 20 on api-2, none on db-1.
      const perTick = instance === 'api-1' ? 10 : instance === 'api-2' ? 20 : 0;
      st.append('tutti_requests_total', { service, instance }, t, (perTick * t) / (5 * S));
    }
  }
  return st;
}

/** `[labels, value]` rows sorted by labels, values to 12 significant digits (rate extrapolates). */
function rows(value: Value): Array<[string, number]> {
  if (value.type !== 'vector') throw new Error('expected a vector');
  return value.samples
    .map((s): [string, number] => [
      `{${Object.keys(s.labels).sort().map((k) => `${k}="${s.labels[k]}"`).join(', ')}}`,
      Number(s.value.toPrecision(12)),
    ])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

const instances = (value: Value) => rows(value).map(([labels]) => /instance="([^"]+)"/.exec(labels)?.[1]);

describe('the store as a PromQL SeriesSource', () => {
  it.each([
    ['up', ['api-1', 'api-2', 'db-1']],
    ['up{service="api"}', ['api-1', 'api-2']],
    ['up{instance=~"api-.*", instance!="api-2"}', ['api-1']],
    ['up{service!~"api"}', ['db-1']],
  ])('%s', (expr, expected) => {
    expect(instances(evaluate(parseExpr(expr), sampled(), T))).toEqual(expected);
  });

  it.each([
    ['sum by (service) (rate(tutti_requests_total[1m]))', [['{service="api"}', 6], ['{service="db"}', 0]]],
    ['sum(increase(tutti_requests_total{instance="api-1"}[1m]))', [['{}', 120]]],
    ['count(up == 1)', [['{}', 3]]],
  ])('%s', (expr, expected) => {
    expect(rows(evaluate(parseExpr(expr), sampled(), T))).toEqual(expected);
  });
});

describe('staleness through the store', () => {
  it('a stale marker comes back out as the stale marker', () => {
    const st = sampled();
    st.markStale('up', { service: 'api', instance: 'api-2' }, T + 1);
    const [series] = st.select([{ name: 'instance', op: '=', value: 'api-2' }, { name: '__name__', op: '=', value: 'up' }], T, T + 1);
    expect(series.points.map((p) => isStale(p.v))).toEqual([false, true]);
  });

  it.each([
    // [evaluation time, instances `up` sees] with api-2 staled at T + 1 ms
    [T, ['api-1', 'api-2', 'db-1']],
    [T + 1, ['api-1', 'db-1']],
    [T + 60 * S, ['api-1', 'db-1']],
  ])('at %i, `up` sees %j', (at, expected) => {
    const st = sampled();
    st.markStale('up', { service: 'api', instance: 'api-2' }, T + 1);
    expect(instances(evaluate(parseExpr('up'), st, at))).toEqual(expected);
  });

  it('a series sampled again after its stale marker is present again', () => {
    const st = sampled();
    st.markStale('up', { service: 'db', instance: 'db-1' }, T + S);
    st.append('up', { service: 'db', instance: 'db-1' }, T + 10 * S, 1);
    expect(instances(evaluate(parseExpr('up{service="db"}'), st, T + 5 * S))).toEqual([]);
    expect(instances(evaluate(parseExpr('up{service="db"}'), st, T + 10 * S))).toEqual(['db-1']);
  });

  it('without the marker, a vanished series lingers for the 5-minute lookback', () => {
    const st = sampled();
    expect(instances(evaluate(parseExpr('up'), st, T + 60 * S))).toEqual(['api-1', 'api-2', 'db-1']);
  });
});
