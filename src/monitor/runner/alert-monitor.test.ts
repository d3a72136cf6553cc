import { afterEach, describe, expect, it } from 'vitest';
import type { AlertRuleSpec } from '../../core/index.js';
import type { StackStatus } from '../../orchestrator/types.js';
import { closedPort } from '../alerts/test-receiver.js';
import { createAlertMonitor, type AlertMonitor, type MonitorEvent } from './alert-monitor.js';

const rule: AlertRuleSpec = {
  name: 'WebDown',
  when: 'tutti_service_ready_instances{service="web"} < 1',
  forMs: 1000,
  labels: { severity: 'page' },
  annotations: {},
  notify: [],
};

function statusWith(ready: number): StackStatus {
  return {
    name: 'shop', file: '/x/tutti.yaml', dir: '/x', appliedAt: 0, health: ready,
    services: [{ name: 'web', state: 'running', desired: 1, replicas: 1, ready, stopped: false, revision: 'r', importance: 1, health: ready, dependsOn: {} }],
    instances: [],
  };
}

let monitor: AlertMonitor | undefined;
afterEach(async () => {
  await monitor?.close();
  monitor = undefined;
});

describe('createAlertMonitor', () => {
  it('goes pending, firing and resolved with the sampled status, and records each change', async () => {
    let t = 10_000;
    let ready = 1;
    const events: MonitorEvent[] = [];
    monitor = createAlertMonitor({
      status: () => statusWith(ready),
      events: { add: async (e) => void events.push(e) },
      intervalMs: 3_600_000, // driven by hand
      now: () => t,
    });
    await monitor.setRules([rule]);
    const state = () => monitor!.alerts().rules[0].state;

    await monitor.tick();
    expect(state()).toBe('inactive');
    ready = 0;
    t += 100;
    await monitor.tick();
    expect(state()).toBe('pending');
    t += 1000;
    await monitor.tick();
    expect(state()).toBe('firing');
    expect(monitor.alerts().rules[0].alerts[0]).toMatchObject({ labels: { alertname: 'WebDown', service: 'web', severity: 'page' }, value: 0 });
    ready = 1;
    t += 100;
    await monitor.tick();
    expect(state()).toBe('inactive');
    expect(events.map((e) => e.kind)).toEqual(['alert.pending', 'alert.firing', 'alert.resolved']);
    expect(events[1]).toMatchObject({ service: 'web', time: 11_100 });
    expect(monitor.series({ metric: 'tutti_service_ready_instances', startMs: 0, endMs: t }).map((s) => s.points.map((p) => p.v))).toEqual([[1, 0, 0, 1]]);
  });

  it('keeps the state of an unchanged rule when the rules are replaced, and drops removed ones', async () => {
    let t = 0;
    monitor = createAlertMonitor({ status: () => statusWith(0), intervalMs: 3_600_000, now: () => t });
    await monitor.setRules([{ ...rule, forMs: 0 }]);
    await monitor.tick();
    expect(monitor.alerts().rules[0].state).toBe('firing');
    await monitor.setRules([{ ...rule, forMs: 0 }, { ...rule, name: 'Other' }]);
    expect(monitor.alerts().rules.map((r) => [r.name, r.state])).toEqual([['WebDown', 'firing'], ['Other', 'inactive']]);
    await monitor.setRules([]);
    expect(monitor.alerts().rules).toEqual([]);
    t += 1;
  });

  it('evaluates on time while a webhook is unreachable', async () => {
    const port = await closedPort();
    const ticks: number[] = [];
    monitor = createAlertMonitor({
      status: () => {
        ticks.push(Date.now());
        return statusWith(0);
      },
      intervalMs: 20,
    });
    await monitor.setRules([{ ...rule, forMs: 0, notify: [{ kind: 'webhook', url: `http://127.0.0.1:${port}/`, sendResolved: true }] }]);
    const deadline = Date.now() + 5000;
    while (ticks.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(ticks.length).toBeGreaterThanOrEqual(5);
    expect(monitor.alerts().rules[0].state).toBe('firing');
  });
});
