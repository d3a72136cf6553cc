import { describe, expect, it } from 'vitest';
import { fingerprint } from './label-set.js';
import { AlertmanagerPlanner, WebhookPlanner, type PlannedGroup } from './notification-plan.js';
import type { Alert, AlertState } from './types.js';

const H = 3_600_000;

function alert(name: string, instance: string, state: AlertState, at: { resolvedAt?: number; activeAt?: number } = {}): Alert {
  const labels = { alertname: name, instance };
  return {
    rule: name,
    state,
    labels,
    annotations: {},
    fingerprint: fingerprint(labels),
    activeAt: at.activeAt ?? 0,
    ...(state !== 'pending' ? { firedAt: at.activeAt ?? 0 } : {}),
    ...(at.resolvedAt !== undefined ? { resolvedAt: at.resolvedAt } : {}),
    value: 1,
  };
}

/** One notification per line: `group: instance=state, …`. */
const show = (plans: PlannedGroup[]): string[] =>
  plans.map((p) => `${p.groupLabels.alertname}: ${p.alerts.map((a) => `${a.labels.instance}=${a.state}`).join(', ')}${p.truncatedAlerts ? ` +${p.truncatedAlerts}` : ''}`);

const planner = (over: Partial<ConstructorParameters<typeof WebhookPlanner>[0]> = {}) =>
  new WebhookPlanner({ groupBy: ['alertname'], repeatIntervalMs: 4 * H, sendResolved: true, maxAlerts: 0, ...over });

describe('WebhookPlanner', () => {
  it('sends news at once, repeats after the repeat interval, and reports a resolution once', () => {
    const p = planner();
    const steps: Array<[number, Alert[], string[]]> = [
      [0, [alert('Down', 'a', 'pending')], []],
      [1, [alert('Down', 'a', 'firing')], ['Down: a=firing']],
      [2, [alert('Down', 'a', 'firing')], []],
      [3, [alert('Down', 'a', 'firing'), alert('Down', 'b', 'pending')], []],
      [4, [alert('Down', 'a', 'firing'), alert('Down', 'b', 'firing')], ['Down: a=firing, b=firing']],
      [4 + 4 * H - 1, [alert('Down', 'a', 'firing'), alert('Down', 'b', 'firing')], []],
      [4 + 4 * H, [alert('Down', 'a', 'firing'), alert('Down', 'b', 'firing')], ['Down: a=firing, b=firing']],
      [5 + 4 * H, [alert('Down', 'a', 'resolved', { resolvedAt: 5 }), alert('Down', 'b', 'firing')], ['Down: a=resolved, b=firing']],
      [6 + 4 * H, [alert('Down', 'a', 'resolved', { resolvedAt: 5 }), alert('Down', 'b', 'firing')], []],
      [8 * H, [alert('Down', 'a', 'resolved', { resolvedAt: 5 }), alert('Down', 'b', 'firing')], []],
      [9 * H, [alert('Down', 'a', 'resolved', { resolvedAt: 5 }), alert('Down', 'b', 'firing')], ['Down: b=firing']],
      [9 * H + 1, [alert('Down', 'b', 'resolved', { resolvedAt: 9 * H + 1 })], ['Down: b=resolved']],
      [9 * H + 2, [alert('Down', 'b', 'resolved', { resolvedAt: 9 * H + 1 })], []],
      [9 * H + 3, [], []],
    ];
    for (const [now, alerts, want] of steps) expect(show(p.plan(alerts, now)), `at ${now}`).toEqual(want);
  });

  it('without sendResolved, records a resolution but tells the receiver only about firing alerts', () => {
    const p = planner({ sendResolved: false });
    expect(show(p.plan([alert('Down', 'a', 'firing'), alert('Down', 'b', 'firing')], 0))).toEqual(['Down: a=firing, b=firing']);
    expect(show(p.plan([alert('Down', 'a', 'resolved', { resolvedAt: 1 }), alert('Down', 'b', 'firing')], 1))).toEqual([]);
    expect(show(p.plan([alert('Down', 'a', 'resolved', { resolvedAt: 1 }), alert('Down', 'b', 'firing')], 4 * H))).toEqual(['Down: b=firing']);
    expect(show(p.plan([alert('Down', 'b', 'resolved', { resolvedAt: 5 * H })], 5 * H))).toEqual([]);
    // A new firing after all that is news again.
    expect(show(p.plan([alert('Down', 'b', 'firing', { activeAt: 6 * H })], 6 * H))).toEqual(['Down: b=firing']);
  });

  it('groups by the groupBy labels, and a group that only ever resolved sends nothing', () => {
    const p = planner();
    expect(show(p.plan([alert('Down', 'a', 'firing'), alert('Slow', 'a', 'firing'), alert('Gone', 'x', 'resolved', { resolvedAt: 0 })], 0))).toEqual([
      'Down: a=firing',
      'Slow: a=firing',
    ]);
    const all = planner({ groupBy: [] }).plan([alert('Slow', 'a', 'firing'), alert('Down', 'a', 'firing')], 0);
    expect(all.map((g) => [g.groupKey, g.alerts.map((a) => a.labels.alertname)])).toEqual([['{}:{}', ['Down', 'Slow']]]);
  });

  it('cuts a group to maxAlerts and counts the rest', () => {
    const p = planner({ maxAlerts: 2 });
    const alerts = ['c', 'a', 'b'].map((i) => alert('Down', i, 'firing'));
    expect(show(p.plan(alerts, 0))).toEqual(['Down: a=firing, b=firing +1']);
  });

  it('sends a group again at the next plan after its delivery was given up', () => {
    const p = planner();
    const [firing] = p.plan([alert('Down', 'a', 'firing')], 0);
    p.deliveryFailed(firing);
    expect(show(p.plan([alert('Down', 'a', 'firing')], 1))).toEqual(['Down: a=firing']);
    const [resolved] = p.plan([alert('Down', 'a', 'resolved', { resolvedAt: 2 })], 2);
    expect(show([resolved])).toEqual(['Down: a=resolved']);
    p.deliveryFailed(resolved);
    expect(show(p.plan([alert('Down', 'a', 'resolved', { resolvedAt: 2 })], 3))).toEqual(['Down: a=resolved']);
    expect(show(p.plan([alert('Down', 'a', 'resolved', { resolvedAt: 2 })], 4))).toEqual([]);
  });
});

describe('AlertmanagerPlanner', () => {
  it('re-sends every resend delay, and at once when an alert resolves', () => {
    const p = new AlertmanagerPlanner(60_000);
    const names = (alerts: Alert[]) => alerts.map((a) => `${a.labels.instance}=${a.state}`);
    expect(names(p.plan([alert('Down', 'a', 'pending')], 0))).toEqual([]);
    expect(names(p.plan([alert('Down', 'a', 'firing')], 5_000))).toEqual(['a=firing']);
    expect(names(p.plan([alert('Down', 'a', 'firing'), alert('Down', 'b', 'firing')], 10_000))).toEqual(['b=firing']);
    expect(names(p.plan([alert('Down', 'a', 'firing'), alert('Down', 'b', 'firing')], 64_999))).toEqual([]);
    expect(names(p.plan([alert('Down', 'a', 'firing'), alert('Down', 'b', 'firing')], 65_000))).toEqual(['a=firing']);
    expect(names(p.plan([alert('Down', 'a', 'firing'), alert('Down', 'b', 'resolved', { resolvedAt: 66_000 })], 66_000))).toEqual([
      'b=resolved',
    ]);
    expect(names(p.plan([alert('Down', 'b', 'resolved', { resolvedAt: 66_000 })], 126_000))).toEqual(['b=resolved']);
  });
});
