// The notifier against real HTTP receivers on 127.0.0.1. Nothing sleeps a fixed time: each
// test polls for the state it expects, with a deadline.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { AlertRuleState } from './alert-rule-state.js';
import { createNotifier, type Notifier } from './notifier.js';
import { closedPort, startReceiver, trackOurTimers, waitFor } from './test-receiver.js';
import type { Sample } from './types.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(receiverStatus?: (n: number) => number | 'hang') {
  const receiver = await startReceiver(receiverStatus);
  cleanups.push(() => receiver.close());
  return receiver;
}

function track(notifier: Notifier): Notifier {
  cleanups.push(() => notifier.close());
  return notifier;
}

const down: Sample = { labels: { __name__: 'tutti_instance_up', service: 'api', instance: 'api-1' }, value: 0 };
const T0 = Date.parse('2024-05-01T10:00:00Z');

describe('webhook notifier', () => {
  it('sends the Alertmanager payload when an alert fires and again when it resolves', async () => {
    const receiver = await setup();
    const rule = new AlertRuleState({ name: 'ServiceDown', forMs: 30_000, annotations: { summary: '{{ $labels.service }} is down' } });
    const notifier = track(createNotifier({ target: { webhook: `${receiver.url}/hook` }, receiver: 'ops', externalURL: 'http://tutti:7070' }));

    rule.update([down], T0);
    notifier.notify(rule.alerts(), T0);
    expect(notifier.stats()).toMatchObject({ queued: 0, inFlight: 0 }); // pending: nothing to say
    rule.update([down], T0 + 30_000);
    notifier.notify(rule.alerts(), T0 + 30_000);
    await waitFor('the firing notification', () => receiver.received.length === 1);

    const firing = receiver.received[0];
    expect(firing).toMatchObject({ method: 'POST', path: '/hook', contentType: 'application/json' });
    expect(firing.body.endsWith('}\n')).toBe(true);
    const alert = {
      status: 'firing',
      labels: { alertname: 'ServiceDown', instance: 'api-1', service: 'api' },
      annotations: { summary: 'api is down' },
      startsAt: '2024-05-01T10:00:30Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
    };
    expect(JSON.parse(firing.body)).toEqual({
      receiver: 'ops',
      status: 'firing',
      alerts: [alert],
      groupLabels: { alertname: 'ServiceDown' },
      commonLabels: alert.labels,
      commonAnnotations: alert.annotations,
      externalURL: 'http://tutti:7070',
      version: '4',
      groupKey: '{}:{alertname="ServiceDown"}',
      truncatedAlerts: 0,
    });

    rule.update([], T0 + 45_000);
    notifier.notify(rule.alerts(), T0 + 45_000);
    await waitFor('the resolved notification', () => receiver.received.length === 2);
    const resolved = JSON.parse(receiver.received[1].body);
    expect(resolved.status).toBe('resolved');
    expect(resolved.alerts).toEqual([{ ...alert, status: 'resolved', endsAt: '2024-05-01T10:00:45Z' }]);
    await waitFor('the receiver to accept both', () => notifier.stats().sent === 2);
    expect(notifier.stats()).toMatchObject({ failed: 0, dropped: 0 });
  });

  it('repeats a still-firing group after the repeat interval, not before', async () => {
    const receiver = await setup();
    const rule = new AlertRuleState({ name: 'ServiceDown', forMs: 0 });
    const notifier = track(createNotifier({ target: { webhook: receiver.url }, repeatIntervalMs: 1_000 }));
    rule.update([down], T0);
    notifier.notify(rule.alerts(), T0);
    await waitFor('the first notification', () => notifier.stats().sent === 1);
    for (const t of [T0 + 500, T0 + 999]) {
      rule.update([down], t);
      notifier.notify(rule.alerts(), t);
      expect(notifier.stats()).toMatchObject({ queued: 0, inFlight: 0 });
    }
    rule.update([down], T0 + 1_000);
    notifier.notify(rule.alerts(), T0 + 1_000);
    await waitFor('the repeat', () => notifier.stats().sent === 2);
    expect(receiver.received.map((r) => JSON.parse(r.body).status)).toEqual(['firing', 'firing']);
  });

  it('retries after two 503s and then succeeds, sending the same body each time', async () => {
    const receiver = await setup((n) => (n <= 2 ? 503 : 200));
    const rule = new AlertRuleState({ name: 'ServiceDown', forMs: 0 });
    const notifier = track(createNotifier({ target: { webhook: receiver.url }, retry: { initialMs: 10, maxMs: 50 } }));
    rule.update([down], T0);
    notifier.notify(rule.alerts(), T0);
    await waitFor('the delivery', () => notifier.stats().sent === 1);
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    expect(notifier.stats()).toMatchObject({ sent: 1, failed: 0, retrying: 0 });
  });

  it('gives up at once on a 4xx other than 429, and sends the group again at the next evaluation', async () => {
    const receiver = await setup((n) => (n === 1 ? 400 : 200));
    const logger = { warn: vi.fn(), error: vi.fn() };
    const rule = new AlertRuleState({ name: 'ServiceDown', forMs: 0 });
    const notifier = track(createNotifier({ target: { webhook: receiver.url }, retry: { initialMs: 10 }, logger }));
    rule.update([down], T0);
    notifier.notify(rule.alerts(), T0);
    await waitFor('the failure', () => notifier.stats().failed === 1);
    expect(receiver.received).toHaveLength(1);
    expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ reason: 'HTTP 400: try later' }), expect.any(String));
    notifier.notify(rule.alerts(), T0 + 5_000);
    await waitFor('the second try', () => notifier.stats().sent === 1);
  });

  it('gives up after maxAttempts when the receiver does not answer in time', async () => {
    const receiver = await setup(() => 'hang');
    const rule = new AlertRuleState({ name: 'ServiceDown', forMs: 0 });
    const notifier = track(
      createNotifier({ target: { webhook: receiver.url }, timeoutMs: 50, retry: { initialMs: 10, maxAttempts: 2 } }),
    );
    rule.update([down], T0);
    notifier.notify(rule.alerts(), T0);
    await waitFor('the delivery to be given up', () => notifier.stats().failed === 1);
    expect(receiver.received).toHaveLength(2);
    await waitFor('the receiver to see both requests abandoned', () => receiver.aborted === 2);
  });

  it('never blocks notify() on an unreachable receiver, and close() leaves no timer behind', async () => {
    const timers = trackOurTimers();
    cleanups.push(() => timers.stop());
    const port = await closedPort();
    const rule = new AlertRuleState({ name: 'ServiceDown', forMs: 0 });
    const notifier = createNotifier({ target: { webhook: `http://127.0.0.1:${port}/` }, retry: { initialMs: 60_000 } });
    rule.update([down], T0);
    const started = performance.now();
    const result = notifier.notify(rule.alerts(), T0);
    // It returned before the request had any outcome; the bound only catches a synchronous wait.
    expect(result).toBeUndefined();
    expect(notifier.stats()).toMatchObject({ inFlight: 1, sent: 0, failed: 0 });
    expect(performance.now() - started).toBeLessThan(250);
    await waitFor('the first attempt to fail', () => notifier.stats().retrying === 1);
    expect(timers.created()).toBeGreaterThan(0);
    expect(timers.live.size).toBeGreaterThan(0);
    await notifier.close();
    await waitFor('every timer to be cleared', () => timers.live.size === 0);
    expect(notifier.stats()).toMatchObject({ sent: 0, retrying: 0, inFlight: 0 });
    notifier.notify(rule.alerts(), T0 + 1);
    expect(notifier.stats()).toMatchObject({ queued: 0, inFlight: 0 });
  });

  it('close() aborts the request in flight', async () => {
    const receiver = await setup(() => 'hang');
    const rule = new AlertRuleState({ name: 'ServiceDown', forMs: 0 });
    const notifier = createNotifier({ target: { webhook: receiver.url } });
    rule.update([down], T0);
    notifier.notify(rule.alerts(), T0);
    await waitFor('the request to arrive', () => receiver.received.length === 1);
    expect(notifier.stats().inFlight).toBe(1);
    await notifier.close();
    await waitFor('the receiver to see the request abandoned', () => receiver.aborted === 1);
    expect(notifier.stats()).toMatchObject({ sent: 0, failed: 0, inFlight: 0 });
  });

  it('keeps at most maxQueued deliveries waiting, dropping the oldest with a warning', async () => {
    const receiver = await setup(() => 'hang');
    const logger = { warn: vi.fn(), error: vi.fn() };
    const notifier = track(createNotifier({ target: { webhook: receiver.url }, maxQueued: 2, logger }));
    // Five rules, five groups: five deliveries, one in flight once the first is taken.
    for (let i = 0; i < 5; i++) {
      const rule = new AlertRuleState({ name: `Rule${i}`, forMs: 0 });
      rule.update([down], T0);
      notifier.notify(rule.alerts(), T0);
    }
    expect(notifier.stats()).toMatchObject({ inFlight: 1, queued: 2, dropped: 2 });
    expect(logger.warn).toHaveBeenCalledTimes(2);
  });
});

describe('alertmanager notifier', () => {
  it('POSTs alerts to /api/v2/alerts under the base path, firing ones valid for four resend delays', async () => {
    const receiver = await setup();
    const rule = new AlertRuleState({ name: 'ServiceDown', forMs: 0, generatorURL: 'http://tutti:7070/alerts' });
    const notifier = track(createNotifier({ target: { alertmanager: `${receiver.url}/am` }, resendDelayMs: 60_000 }));
    rule.update([down], T0);
    notifier.notify(rule.alerts(), T0);
    await waitFor('the alerts', () => receiver.received.length === 1);
    expect(receiver.received[0]).toMatchObject({ method: 'POST', path: '/am/api/v2/alerts', contentType: 'application/json' });
    expect(JSON.parse(receiver.received[0].body)).toEqual([
      {
        labels: { alertname: 'ServiceDown', instance: 'api-1', service: 'api' },
        annotations: {},
        startsAt: '2024-05-01T10:00:00.000Z',
        endsAt: '2024-05-01T10:04:00.000Z',
        generatorURL: 'http://tutti:7070/alerts',
      },
    ]);
    rule.update([], T0 + 5_000);
    notifier.notify(rule.alerts(), T0 + 5_000);
    await waitFor('the resolution', () => receiver.received.length === 2);
    expect(JSON.parse(receiver.received[1].body)[0].endsAt).toBe('2024-05-01T10:00:05.000Z');
  });
});

describe('options', () => {
  it('rejects a target that is not an http(s) URL, with a code', () => {
    expect(() => createNotifier({ target: { webhook: 'ftp://x' } })).toThrow(expect.objectContaining({ code: 'TUTTI_E_MANIFEST_INVALID' }));
    expect(() => createNotifier({ target: { alertmanager: 'not a url' } })).toThrow(/not an http\(s\) URL/);
    expect(() => createNotifier({ target: { webhook: 'http://x' }, retry: { maxAttempts: 0 } })).toThrow(/maxAttempts/);
  });
});
