import { describe, expect, it } from 'vitest';
import { AlertRuleState, RESOLVED_RETENTION_MS } from './alert-rule-state.js';
import type { AlertRule, Sample } from './types.js';

const MIN = 60_000;
const down = (instance: string, value = 0): Sample => ({ labels: { __name__: 'tutti_instance_up', instance }, value });

/** Runs evaluations and renders each transition as `t instance from>to`. */
function replay(rule: AlertRule, steps: Array<[number, Sample[]]>): string[] {
  const state = new AlertRuleState(rule);
  return steps.flatMap(([t, samples]) =>
    state.update(samples, t).map((tr) => `${t / 1000}s ${tr.alert.labels.instance} ${tr.from}>${tr.to}`),
  );
}

describe('AlertRuleState transitions', () => {
  const cases: Array<{ name: string; forMs: number; steps: Array<[number, Sample[]]>; want: string[] }> = [
    {
      name: 'pending until `for` has elapsed, then firing, then resolved',
      forMs: MIN,
      steps: [[0, [down('a')]], [30_000, [down('a')]], [60_000, [down('a')]], [90_000, [down('a')]], [120_000, []]],
      want: ['0s a inactive>pending', '60s a pending>firing', '120s a firing>resolved'],
    },
    {
      name: 'a pending alert that disappears is dropped, and starts over when it returns',
      forMs: MIN,
      steps: [[0, [down('a')]], [30_000, []], [45_000, [down('a')]], [90_000, [down('a')]], [105_000, [down('a')]]],
      want: ['0s a inactive>pending', '30s a pending>inactive', '45s a inactive>pending', '105s a pending>firing'],
    },
    {
      name: 'forMs 0 fires at the first evaluation, in one transition',
      forMs: 0,
      steps: [[0, [down('a')]], [5_000, [down('a')]], [10_000, []]],
      want: ['0s a inactive>firing', '10s a firing>resolved'],
    },
    {
      name: 'two label sets live independently',
      forMs: 10_000,
      steps: [
        [0, [down('a')]],
        [5_000, [down('a'), down('b')]],
        [10_000, [down('a'), down('b')]],
        [15_000, [down('b')]],
        [20_000, [down('b')]],
        [25_000, []],
      ],
      want: ['0s a inactive>pending', '5s b inactive>pending', '10s a pending>firing', '15s a firing>resolved', '15s b pending>firing', '25s b firing>resolved'],
    },
    {
      name: 'flapping label sets: a resolved alert that returns is a new alert and waits for `for` again',
      forMs: 10_000,
      steps: [
        [0, [down('a')]],
        [10_000, [down('a')]],
        [15_000, []],
        [20_000, [down('a')]],
        [25_000, []],
        [30_000, [down('a')]],
        [40_000, [down('a')]],
      ],
      want: ['0s a inactive>pending', '10s a pending>firing', '15s a firing>resolved', '20s a inactive>pending', '25s a pending>inactive', '30s a inactive>pending', '40s a pending>firing'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(replay({ name: 'InstanceDown', forMs: c.forMs }, c.steps)).toEqual(c.want);
    });
  }
});

describe('AlertRuleState alerts', () => {
  it('reports activeAt, firedAt, resolvedAt and the latest value, and labels without __name__', () => {
    const state = new AlertRuleState({ name: 'InstanceDown', forMs: 10_000, labels: { severity: 'page' } });
    state.update([down('a', 1)], 1_000);
    expect(state.state()).toBe('pending');
    state.update([down('a', 2)], 11_000);
    expect(state.state()).toBe('firing');
    state.update([], 21_000);
    expect(state.state()).toBe('inactive');
    expect(state.alerts()).toEqual([
      {
        rule: 'InstanceDown',
        state: 'resolved',
        labels: { instance: 'a', severity: 'page', alertname: 'InstanceDown' },
        annotations: {},
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        activeAt: 1_000,
        firedAt: 11_000,
        resolvedAt: 21_000,
        value: 2,
      },
    ]);
  });

  it('keeps a resolved alert for 15 minutes, then removes it without a transition', () => {
    const state = new AlertRuleState({ name: 'InstanceDown', forMs: 0 });
    state.update([down('a')], 0);
    state.update([], 1_000);
    expect(state.update([], 1_000 + RESOLVED_RETENTION_MS)).toEqual([]);
    expect(state.alerts().map((a) => a.state)).toEqual(['resolved']);
    expect(state.update([], 1_001 + RESOLVED_RETENTION_MS)).toEqual([]);
    expect(state.alerts()).toEqual([]);
  });

  it('gives the rule label precedence over the sample, drops labels set to "", and sets alertname last', () => {
    const state = new AlertRuleState({
      name: 'HighErrors',
      forMs: 0,
      labels: { team: 'shop', instance: '', alertname: 'ignored', level: '{{ $labels.tier }}' },
    });
    const [t] = state.update([{ labels: { instance: 'a', team: 'core', tier: 'gold' }, value: 1 }], 0);
    expect(t.alert.labels).toEqual({ team: 'shop', tier: 'gold', level: 'gold', alertname: 'HighErrors' });
  });

  it('templates annotations from the sample at every evaluation', () => {
    const state = new AlertRuleState({
      name: 'HighErrors',
      forMs: 60_000,
      annotations: {
        summary: '{{ $labels.service }} errors at {{ $value }}',
        owner: 'team {{ $labels.owner }}.',
        static: 'no template',
      },
    });
    const at = (value: number): Sample => ({ labels: { service: 'api' }, value });
    state.update([at(0.25)], 0);
    state.update([at(1234567)], 5_000);
    expect(state.alerts()[0].annotations).toEqual({
      summary: 'api errors at 1.234567e+06',
      owner: 'team .',
      static: 'no template',
    });
  });

  it('keeps the first of two series that collapse into one label set once __name__ is gone', () => {
    const state = new AlertRuleState({ name: 'Dup', forMs: 0 });
    const transitions = state.update(
      [
        { labels: { __name__: 'x', job: 'j' }, value: 1 },
        { labels: { __name__: 'y', job: 'j' }, value: 2 },
      ],
      0,
    );
    expect(transitions.map((t) => t.alert.value)).toEqual([1]);
  });

  it('returns copies: mutating a result does not change the state', () => {
    const state = new AlertRuleState({ name: 'A', forMs: 0 });
    const [t] = state.update([down('a')], 0);
    t.alert.labels.instance = 'changed';
    state.alerts()[0].labels.instance = 'changed too';
    expect(state.alerts()[0].labels.instance).toBe('a');
  });

  it('rejects a negative `for`', () => {
    expect(() => new AlertRuleState({ name: 'A', forMs: -1 })).toThrow(/forMs/);
  });
});
